import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSameInputs, loadOutcome, loadRunInputs, saveOutcome, saveRunInputs, type RunInputs } from '../../src/run/resume.js';
import { emptyTokens } from '../../src/types.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'tourney-resume-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const inputs: RunInputs = {
  schema: 'tourney-run-inputs/1', repoDir: '/r', specPath: '/r/feature.md', overrides: { trials: 2 },
  baseCommit: 'a'.repeat(40), specSha256: 'b'.repeat(64), configSha256: 'c'.repeat(64), runs: [{ name: 'a-t1', agent: 'opencode', model: 'm/x', trialOf: 'a' }, { name: 'a-t2', agent: 'opencode', model: 'm/x', trialOf: 'a' }],
};

describe('saved run state', () => {
  it('reads back the inputs it saved, and refuses a file that is not run inputs, naming the key', async () => {
    const runs = [1, 2].map((k) => ({ name: `a-t${k}`, agent: 'opencode' as const, model: 'm/x', trialOf: 'a', trial: k }));
    // Flags not given are left out; the runs are kept as name, agent, model and trial group.
    await saveRunInputs(dir, { ...inputs, overrides: { trials: 2, model: undefined }, runs });
    expect(await loadRunInputs(dir)).toEqual(inputs);
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...inputs, baseCommit: 'HEAD' }));
    await expect(loadRunInputs(dir)).rejects.toThrow(/run\.json: not valid run inputs.*\n.*baseCommit/);
    await writeFile(join(dir, 'run.json'), '{');
    await expect(loadRunInputs(dir)).rejects.toThrow(/run\.json: not valid JSON/);
    await expect(loadRunInputs(join(dir, 'none'))).rejects.toThrow(/run\.json: cannot read it .*runs from before resume existed/);
  });

  it('refuses to resume when the config now gives other entrants or models, or the spec or config changed', () => {
    const same = [{ name: 'a-t1', agent: 'opencode' as const, model: 'm/x', trialOf: 'a', trial: 1 }, { name: 'a-t2', agent: 'opencode' as const, model: 'm/x', trialOf: 'a', trial: 2 }];
    const now = { runs: same, specSha256: 'b'.repeat(64), configSha256: 'c'.repeat(64), specPath: '/r/feature.md', configPath: '/r/tourney.config.yaml' };
    expect(() => checkSameInputs(inputs, now, dir)).not.toThrow();
    expect(() => checkSameInputs(inputs, { ...now, runs: [same[0]!] }, dir)).toThrow(/started with entrants a-t1 \(m\/x\), a-t2 \(m\/x\), but the config now gives a-t1 \(m\/x\)/);
    expect(() => checkSameInputs(inputs, { ...now, runs: same.map((r) => ({ ...r, model: 'm/y' })) }, dir)).toThrow(/restore the config, or start a new run/);
    expect(() => checkSameInputs(inputs, { ...now, specSha256: 'd'.repeat(64) }, dir)).toThrow(/run\.json: key "specSha256": the spec \/r\/feature\.md changed since the run started/);
    expect(() => checkSameInputs(inputs, { ...now, configSha256: 'd'.repeat(64) }, dir)).toThrow(/key "configSha256": the config \/r\/tourney\.config\.yaml resolves to other settings/);
  });

  it('keeps an ended entrant with its patch, and treats a missing or corrupt outcome as not ended', async () => {
    const candidate = { name: 'a-t1', agent: 'opencode', model: 'm/x', status: 'finished' as const, tokens: emptyTokens(), costUsd: 0.5, durationMs: 10, transcriptPath: null, trialOf: 'a', trial: 1, patch: 'diff --git a/x b/x\n' };
    await saveOutcome(dir, candidate);
    expect(await loadOutcome(dir, 'a-t1')).toEqual(candidate);
    expect(await loadOutcome(dir, 'a-t1', { agent: 'opencode', model: 'm/x', trialOf: 'a' })).toEqual(candidate);
    // Not this run's entrant any more (another model, or a trial moved to another entrant): not kept.
    expect(await loadOutcome(dir, 'a-t1', { agent: 'opencode', model: 'm/y', trialOf: 'a' })).toBeNull();
    expect(await loadOutcome(dir, 'a-t1', { agent: 'opencode', model: 'm/x', trialOf: 'b' })).toBeNull();
    expect(await loadOutcome(dir, 'a-t2')).toBeNull();
    await writeFile(join(dir, 'entrants', 'a-t1', 'outcome.json'), JSON.stringify({ ...candidate, patch: undefined, status: 'won' }));
    expect(await loadOutcome(dir, 'a-t1')).toBeNull();
    // An outcome filed under another entrant's name is not that entrant's.
    await writeFile(join(dir, 'entrants', 'a-t1', 'outcome.json'), JSON.stringify({ ...candidate, patch: undefined, name: 'a-t2' }));
    expect(await loadOutcome(dir, 'a-t1')).toBeNull();
  });
});
