import { existsSync } from 'node:fs';
import { TourneyError } from '../errors.js';
import { displayPath } from '../config/load.js';
import { loadCatalogue, readCachedCatalogue, type Catalogue, type CatalogueSource } from '../agents/catalogue.js';
import { parseModel } from '../agents/opencode-config.js';
import { FALLBACK_PROVIDER_ENV, authFileProviders, needsCredentials, opencodeAuthFile, providerEnvNames, providerOf, setVariables } from '../agents/providers.js';
import { nearest } from '../agents/suggest.js';
import type { TourneyConfig } from '../types.js';
import { runModels } from './sandbox-environment.js';

// Checked before any container starts: every model a run talks to has credentials and exists.
// A run that would fail after minutes of sandboxes and waiting fails here, in well under a second.

/** What each provider's containers get; built from the host's environment once, before the run. */
export interface CredentialPlan {
  /** Per provider: its credential variables set on the host (by convention and from sandbox.env). */
  providerEnv: Record<string, Record<string, string>>;
  /** Per provider: the variables its key may come from (named in error messages). */
  providerNames: Record<string, readonly string[]>;
  /** sandbox.env variables that are no provider's credentials: every entrant and judge gets them. */
  sharedEnv: Record<string, string>;
  catalogue: Catalogue | null;
}

export interface PreflightInput {
  config: TourneyConfig;
  env?: NodeJS.ProcessEnv;
  /** opencode's auth file on the host (default: $XDG_DATA_HOME/opencode/auth.json). */
  authFile?: string;
  catalogue: CatalogueSource;
  onWarning?: (message: string) => void;
}

/** The environment one entrant's (or judge's) container gets: its provider's keys plus the shared extras. */
export function credentialEnv(plan: CredentialPlan, model: string): Record<string, string> {
  return { ...plan.sharedEnv, ...(plan.providerEnv[providerOf(model)] ?? {}) };
}

export function credentialNames(plan: CredentialPlan, model: string): readonly string[] {
  return plan.providerNames[providerOf(model)] ?? [];
}

export async function preflight(input: PreflightInput): Promise<CredentialPlan> {
  const { config } = input;
  const env = input.env ?? process.env;
  const where = config.source ? displayPath(config.source) : 'tourney.config.yaml';
  const uses = runModels(config);
  const byProvider = new Map<string, string[]>();
  for (const use of uses) {
    const provider = providerOf(use.model);
    if (!needsCredentials(provider)) continue;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), use.who]);
  }

  // Credentials first, from the cached catalogue or the built-in table: a missing key is then
  // reported at once, without the slow first read of opencode's catalogue.
  let catalogue = await readCachedCatalogue(safeVersion(input.catalogue) ?? '', input.catalogue.dir);
  let loaded = catalogue !== null;
  const load = async () => {
    if (loaded) return catalogue;
    loaded = true;
    const result = await loadCatalogue(input.catalogue);
    if (result.problem) input.onWarning?.(`${result.problem}; model names are not checked`);
    catalogue = result.catalogue;
    return catalogue;
  };
  const names = new Map<string, readonly string[]>();
  for (const provider of byProvider.keys()) {
    const known = providerEnvNames(provider, catalogue) ?? providerEnvNames(provider, await load());
    names.set(provider, known ?? []);
  }

  const authFile = input.authFile ?? opencodeAuthFile(env);
  const authProviders = config.sandbox.opencodeAuth ? authFileProviders(authFile) : null;
  if (config.sandbox.opencodeAuth && !existsSync(authFile)) {
    throw new TourneyError(`${where}: sandbox.opencodeAuth is true but ${authFile} does not exist`, { hint: 'run "opencode auth login" first, or set sandbox.opencodeAuth: false and export the provider\'s key' });
  }
  const missing: string[] = [];
  for (const [provider, who] of byProvider) {
    const vars = names.get(provider) ?? [];
    const viaEnv = Object.keys(setVariables(vars, env)).length > 0;
    // A provider opencode does not know by name has no conventional variable: an extra sandbox.env one may be its key.
    const viaExtra = vars.length === 0 && Object.keys(setVariables(config.sandbox.env, env)).length > 0;
    if (viaEnv || viaExtra || authProviders?.has(provider)) continue;
    const exportHint = vars.length > 0 ? `export ${vars.join(' or ')}` : `export its API key and list the variable under sandbox.env in ${where}`;
    const auth = config.sandbox.opencodeAuth ? `; ${authFile} has no "${provider}" entry` : '';
    missing.push(`${provider} (used by ${who.join(', ')}): no credentials${vars.length > 0 ? ` (${vars.join(', ')} ${vars.length > 1 ? 'are' : 'is'} unset or empty${auth})` : auth}; ${exportHint}`);
  }
  if (missing.length > 0) {
    throw new TourneyError(`no credentials for ${missing.length === 1 ? 'a provider' : `${missing.length} providers`}, nothing was started:\n  ${missing.join('\n  ')}`, {
      hint: 'or, after "opencode auth login", set sandbox.opencodeAuth: true in the config (tourney doctor checks this too)',
    });
  }

  // Then the model names, against the catalogue of the opencode the sandboxes run.
  if (byProvider.size > 0) await load();
  if (catalogue) {
    const unknown: string[] = [];
    // One line per model, naming everyone who uses it.
    const users = new Map<string, string[]>();
    for (const use of uses) users.set(use.model, [...(users.get(use.model) ?? []), use.who]);
    for (const [model, who] of users) {
      const use = { model, who: who.join(', ') };
      const { providerID, modelID } = parseModel(use.model);
      if (!needsCredentials(providerID)) continue;
      const entry = catalogue.providers[providerID];
      if (!entry) {
        unknown.push(`${use.who}: provider "${providerID}" is not in opencode ${catalogue.opencodeVersion}'s catalogue${didYouMean(providerID, Object.keys(catalogue.providers))}`);
      } else if (!entry.models.includes(modelID)) {
        unknown.push(`${use.who}: opencode ${catalogue.opencodeVersion} has no model "${modelID}" for ${providerID}${didYouMean(modelID, entry.models, `${providerID}/`)}`);
      }
    }
    if (unknown.length > 0) throw new TourneyError(`unknown model${unknown.length > 1 ? 's' : ''} (--model, entrants[].model or judge.models):\n  ${unknown.join('\n  ')}`);
  }

  return { ...splitEnv(config, byProvider.keys(), names, catalogue, env), providerNames: Object.fromEntries(names), catalogue };
}

function splitEnv(config: TourneyConfig, providers: Iterable<string>, names: Map<string, readonly string[]>, catalogue: Catalogue | null, env: NodeJS.ProcessEnv) {
  // Every provider's credential variables, not only this run's: another provider's key stays out.
  const claimed = new Set<string>([
    ...[...names.values()].flat(),
    ...Object.values(FALLBACK_PROVIDER_ENV).flat(),
    ...Object.values(catalogue?.providers ?? {}).flatMap((p) => p.env),
  ]);
  const providerEnv: CredentialPlan['providerEnv'] = {};
  for (const provider of providers) {
    const vars = names.get(provider) ?? [];
    providerEnv[provider] = setVariables(vars, env);
  }
  // Extra variables the user listed pass as before, except another provider's key: that stays with its provider.
  const extras = config.sandbox.env.filter((name) => !claimed.has(name));
  return { providerEnv, sharedEnv: setVariables(extras, env) };
}

function didYouMean(word: string, candidates: string[], prefix = ''): string {
  const close = nearest(word, candidates, 3);
  return close.length > 0 ? `; did you mean ${close.map((c) => `${prefix}${c}`).join(', ')}?` : '';
}

function safeVersion(source: CatalogueSource): string | undefined {
  try {
    return source.version();
  } catch {
    return undefined;
  }
}
