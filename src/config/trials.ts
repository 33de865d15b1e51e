import type { EntrantConfig } from '../types.js';

/** The names an entrant's runs go by: its own with one trial, `<name>-t1` ... `<name>-tK` with K. */
export function trialNames(entrant: Pick<EntrantConfig, 'name' | 'trials'>): string[] {
  const k = entrant.trials ?? 1;
  return k <= 1 ? [entrant.name] : Array.from({ length: k }, (_, i) => `${entrant.name}-t${i + 1}`);
}

/** Each entrant as the runs tourney starts: one per trial, each knowing whose trial it is. */
export function expandTrials(entrants: readonly EntrantConfig[]): EntrantConfig[] {
  return entrants.flatMap((entrant) => {
    const names = trialNames(entrant);
    if (names.length === 1) return [entrant];
    return names.map((name, i) => ({ ...entrant, name, trialOf: entrant.name, trial: i + 1 }));
  });
}
