import { existsSync } from 'node:fs';
import { resolveScript } from '../scripted/script.js';
import { TourneyError } from '../errors.js';
import { displayPath } from '../config/load.js';
import { loadCatalogue, readCachedCatalogue, type Catalogue, type CatalogueSource } from '../agents/catalogue.js';
import { gatewayEndpoint, headerVariables, referencedVariables, settingsFor, type ProviderSettings } from '../agents/gateways.js';
import { parseModel, type EntrantGateway } from '../agents/models.js';
import { AGENT_PROVIDER_ENV, FALLBACK_PROVIDER_ENV, authFileProviders, needsCredentials, opencodeAuthFile, providerEnvNames, providerOf, setVariables } from '../agents/providers.js';
import { nearest } from '../agents/suggest.js';
import type { TourneyConfig } from '../types.js';

// Checked before any container starts: every model a run talks to has credentials and exists.
// A run that would fail after minutes of sandboxes and waiting fails here, in well under a second.

/** One model one party talks to: an entrant (with its own gateway settings) or a judge. */
export interface ModelUse {
  who: string;
  model: string;
  /** The entrant's name; undefined for a judge. */
  entrant?: string;
  settings?: ProviderSettings;
}

/** What each entrant's and judge's container gets; built from the host's environment once, before the run. */
export interface CredentialPlan {
  /** Per use (see useKey): the credential variables it gets, set on the host. */
  useEnv: Record<string, Record<string, string>>;
  /** Per use: the variables its key comes from (named in error messages). */
  useNames: Record<string, readonly string[]>;
  /** Per use with gateway settings: what opencode's provider config is made from. */
  gateways: Record<string, EntrantGateway>;
  /** sandbox.env variables that are no provider's credentials: every entrant and judge gets them. */
  sharedEnv: Record<string, string>;
  /** One line per keyless gateway and the like, for the terminal. */
  notes: string[];
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

/** Every model a run talks to, with who uses it and the provider settings that apply to that use. */
export function modelUses(config: TourneyConfig): ModelUse[] {
  const withSettings = (use: ModelUse, own?: TourneyConfig['providers']): ModelUse => {
    const settings = settingsFor(providerOf(use.model), config.providers, own);
    return settings ? { ...use, settings } : use;
  };
  return [
    ...config.entrants.map((e) => withSettings({ who: `entrant "${e.name}"`, model: e.model, entrant: e.name }, e.providers)),
    ...config.judge.models.map((model) => withSettings({ who: 'the judge', model })),
  ];
}

export function useKey(model: string, entrant?: string): string {
  return entrant === undefined ? `judge:${model}` : `entrant:${entrant}`;
}

/** The environment one entrant's (or judge's) container gets: its provider's keys plus the shared extras. */
export function credentialEnv(plan: CredentialPlan, model: string, entrant?: string): Record<string, string> {
  return { ...plan.sharedEnv, ...(plan.useEnv[useKey(model, entrant)] ?? {}) };
}

export function credentialNames(plan: CredentialPlan, model: string, entrant?: string): readonly string[] {
  return plan.useNames[useKey(model, entrant)] ?? [];
}

export function gatewayFor(plan: CredentialPlan, model: string, entrant?: string): EntrantGateway | undefined {
  return plan.gateways[useKey(model, entrant)];
}

/**
 * Entrants that share a provider account: one refusing the key stops the others. A gateway is its own
 * account: an entrant reaching anthropic through a company gateway is not stopped by the public API's 401.
 */
export function credentialScope(plan: CredentialPlan, model: string, entrant?: string): string {
  const settings = gatewayFor(plan, model, entrant)?.settings;
  return [providerOf(model), settings?.baseURL ?? '', ...credentialNames(plan, model, entrant), ...(settings ? headerVariables(settings) : [])].join(' ');
}

/** A scripted model names a script file: a missing one is a typo to report now, not three failed entrants later. */
async function checkScriptedModels(config: TourneyConfig, where: string): Promise<void> {
  const scripted = modelUses(config).filter((use) => !needsCredentials(providerOf(use.model)));
  const missing: string[] = [];
  for (const use of scripted) {
    const name = use.model.slice(use.model.indexOf('/') + 1);
    try {
      await resolveScript(name, config.scriptDirs);
    } catch (err) {
      if (!(err instanceof TourneyError)) throw err;
      missing.push(`${use.who}: ${err.message}`);
    }
  }
  if (missing.length > 0) throw new TourneyError(`${where}: ${[...new Set(missing)].join('\n  ')}`, { hint: 'scripted models are the scripts in examples/scripts/ and the config\'s scripts: directories, by file name' });
}

export async function preflight(input: PreflightInput): Promise<CredentialPlan> {
  const { config } = input;
  const env = input.env ?? process.env;
  const where = config.source ? displayPath(config.source) : 'tourney.config.yaml';
  const uses = modelUses(config).filter((use) => needsCredentials(providerOf(use.model)));
  await checkScriptedModels(config, where);

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
  const conventional = new Map<string, readonly string[]>();
  for (const provider of new Set(uses.map((u) => providerOf(u.model)))) {
    const known = providerEnvNames(provider, catalogue) ?? providerEnvNames(provider, await load());
    conventional.set(provider, known ?? []);
  }

  const authFile = input.authFile ?? opencodeAuthFile(env);
  const authProviders = config.sandbox.opencodeAuth ? authFileProviders(authFile) : null;
  if (config.sandbox.opencodeAuth && !existsSync(authFile)) {
    throw new TourneyError(`${where}: sandbox.opencodeAuth is true but ${authFile} does not exist`, { hint: 'run "opencode auth login" first, or set sandbox.opencodeAuth: false and export the provider\'s key' });
  }

  const plan: CredentialPlan = { useEnv: {}, useNames: {}, gateways: {}, sharedEnv: {}, notes: [], catalogue: null };
  // Problems are collected per provider (or gateway), naming everyone affected, one line each.
  const missing = new Map<string, { who: string[]; provider: string; text: string }>();
  const miss = (key: string, who: string, provider: string, text: string) => {
    const entry = missing.get(key) ?? { who: [], provider, text };
    entry.who.push(who);
    missing.set(key, entry);
  };
  const noted = new Set<string>();
  for (const use of uses) {
    const provider = providerOf(use.model);
    const key = useKey(use.model, use.entrant);
    const settingsKey = `providers.${provider}`;
    const names = use.settings?.apiKeyEnv ? [use.settings.apiKeyEnv] : (conventional.get(provider) ?? []);
    const set = setVariables(names, env);
    // Decided before the header variables join the environment: a header token is no API key.
    const hasKey = Object.keys(set).length > 0;
    plan.useNames[key] = names;
    plan.useEnv[key] = { ...set };
    for (const name of use.settings ? headerVariables(use.settings) : []) {
      const value = setVariables([name], env);
      if (Object.keys(value).length === 0) miss(`${provider} header ${name}`, use.who, provider, `${settingsKey}.headers reads ${name}, which is unset or empty; export ${name}`);
      Object.assign(plan.useEnv[key], value);
    }
    if (use.settings) plan.gateways[key] = { settings: use.settings, keyless: !hasKey && !authProviders?.has(provider) };
    if (hasKey || authProviders?.has(provider)) continue;
    if (use.settings?.apiKeyEnv) {
      miss(`${provider} ${use.settings.apiKeyEnv}`, use.who, provider, `${settingsKey}.apiKeyEnv names ${use.settings.apiKeyEnv}, which is unset or empty; export ${use.settings.apiKeyEnv}`);
      continue;
    }
    if (use.settings?.baseURL) {
      // A gateway that adds the key itself (or needs none): the request goes out without one.
      const endpoint = gatewayEndpoint(use.settings);
      const note = `${provider} goes through ${use.settings.baseURL} without a key (no ${names.length > 0 ? `${names.join(' or ')} set and no ` : ''}${settingsKey}.apiKeyEnv)`;
      if (endpoint && !noted.has(note)) {
        noted.add(note);
        plan.notes.push(note);
      }
      continue;
    }
    // A provider opencode does not know by name has no conventional variable: an extra sandbox.env one may be its key.
    if (names.length === 0 && Object.keys(setVariables(config.sandbox.env, env)).length > 0) continue;
    const exportHint = names.length > 0 ? `export ${names.join(' or ')}` : `export its API key and name the variable in ${settingsKey}.apiKeyEnv in ${where}`;
    const auth = config.sandbox.opencodeAuth ? `; ${authFile} has no "${provider}" entry` : '';
    miss(provider, use.who, provider, `no credentials${names.length > 0 ? ` (${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} unset or empty${auth})` : auth}; ${exportHint}`);
  }
  if (missing.size > 0) {
    const lines = [...missing.values()].map(({ who, provider, text }) => `${provider} (used by ${[...new Set(who)].join(', ')}): ${text}`);
    throw new TourneyError(`no credentials for ${missing.size === 1 ? 'a provider' : `${missing.size} providers`}, nothing was started:\n  ${lines.join('\n  ')}`, {
      hint: 'or, after "opencode auth login", set sandbox.opencodeAuth: true in the config (tourney doctor checks this too)',
    });
  }

  // Then the model names, against the catalogue of the opencode the sandboxes run and the configured models.
  if (uses.length > 0) await load();
  checkModels(uses, catalogue, where);

  plan.sharedEnv = sharedEnv(config, conventional, catalogue, env);
  plan.catalogue = catalogue;
  return plan;
}

function checkModels(uses: ModelUse[], catalogue: Catalogue | null, where: string): void {
  const unknown = new Set<string>();
  // One line per model and settings, naming everyone who uses it.
  const users = new Map<string, { use: ModelUse; who: string[] }>();
  for (const use of uses) {
    const key = `${use.model} ${JSON.stringify(use.settings ?? null)}`;
    const entry = users.get(key) ?? { use, who: [] };
    entry.who.push(use.who);
    users.set(key, entry);
  }
  for (const { use, who } of users.values()) {
    const { providerID, modelID } = parseModel(use.model);
    const configured = Object.keys(use.settings?.models ?? {});
    if (configured.includes(modelID)) continue;
    const listed = `${who.join(', ')}`;
    const entry = catalogue?.providers[providerID];
    if (use.settings && !entry && catalogue) {
      // A provider of the user's own: opencode knows only what the config says about it.
      if (!use.settings.npm || !use.settings.baseURL || configured.length === 0) {
        unknown.add(`${listed}: opencode ${catalogue.opencodeVersion} does not know provider "${providerID}"; a custom provider needs npm (e.g. "@ai-sdk/openai-compatible"), baseURL and models under providers.${providerID} in ${where}`);
      } else {
        unknown.add(`${listed}: providers.${providerID}.models in ${where} has no model "${modelID}"${didYouMean(modelID, configured, `${providerID}/`)}`);
      }
      continue;
    }
    if (!catalogue) continue;
    if (!entry) {
      unknown.add(`${listed}: provider "${providerID}" is not in opencode ${catalogue.opencodeVersion}'s catalogue${didYouMean(providerID, Object.keys(catalogue.providers))}; for a provider of your own, configure it under providers.${providerID}`);
    } else if (!entry.models.includes(modelID)) {
      unknown.add(`${listed}: opencode ${catalogue.opencodeVersion} has no model "${modelID}" for ${providerID}${didYouMean(modelID, [...entry.models, ...configured], `${providerID}/`)}${use.settings ? ` (list a gateway's own models under providers.${providerID}.models)` : ''}`);
    }
  }
  if (unknown.size > 0) throw new TourneyError(`unknown model${unknown.size > 1 ? 's' : ''} (--model, entrants[].model or judge.models):\n  ${[...unknown].join('\n  ')}`);
}

function sharedEnv(config: TourneyConfig, conventional: Map<string, readonly string[]>, catalogue: Catalogue | null, env: NodeJS.ProcessEnv): Record<string, string> {
  // Every provider's credential variables, not only this run's: another provider's key stays out.
  const gatewayVariables = [config.providers, ...config.entrants.map((e) => e.providers ?? {})].flatMap((map) => Object.values(map).flatMap(referencedVariables));
  const claimed = new Set<string>([
    ...[...conventional.values()].flat(),
    ...Object.values(FALLBACK_PROVIDER_ENV).flat(),
    ...Object.values(AGENT_PROVIDER_ENV).flat(),
    ...Object.values(catalogue?.providers ?? {}).flatMap((p) => p.env),
    ...gatewayVariables,
  ]);
  // Extra variables the user listed pass as before, except a provider's key: that stays with its provider.
  return setVariables(config.sandbox.env.filter((name) => !claimed.has(name)), env);
}

function didYouMean(word: string, candidates: string[], prefix = ''): string {
  const close = nearest(word, [...new Set(candidates)], 3);
  return close.length > 0 ? `; did you mean ${close.map((c) => `${prefix}${c}`).join(', ')}?` : '';
}

function safeVersion(source: CatalogueSource): string | undefined {
  try {
    return source.version();
  } catch {
    return undefined;
  }
}
