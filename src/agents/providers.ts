import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseModel, SCRIPTED_PROVIDER } from './opencode-config.js';
import type { Catalogue } from './catalogue.js';

/**
 * Environment variables opencode reads for common providers: used when opencode's own catalogue
 * (see catalogue.ts) cannot be read, and before it is cached, so a missing key is reported at once.
 */
export const FALLBACK_PROVIDER_ENV: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['ANTHROPIC_API_KEY'],
  openai: ['OPENAI_API_KEY'],
  google: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'],
  openrouter: ['OPENROUTER_API_KEY'],
  groq: ['GROQ_API_KEY'],
  mistral: ['MISTRAL_API_KEY'],
  xai: ['XAI_API_KEY'],
  deepseek: ['DEEPSEEK_API_KEY'],
};

export function providerOf(model: string): string {
  return parseModel(model).providerID;
}

/** The scripted model is served by tourney itself: it needs no credentials. */
export function needsCredentials(provider: string): boolean {
  return provider !== SCRIPTED_PROVIDER;
}

/**
 * The variables that carry `provider`'s credentials: opencode's catalogue when known (it is what the
 * opencode in the sandbox reads), else the fallback table; `undefined` when neither knows the provider.
 */
export function providerEnvNames(provider: string, catalogue: Catalogue | null): readonly string[] | undefined {
  const listed = catalogue?.providers[provider]?.env;
  const names = listed && listed.length > 0 ? listed : FALLBACK_PROVIDER_ENV[provider];
  const extra = AGENT_PROVIDER_ENV[provider] ?? [];
  return names ? [...new Set([...names, ...extra])] : extra.length > 0 ? extra : undefined;
}

/**
 * Credentials other agents than opencode read for a provider (Claude Code's bearer and subscription tokens): they are
 * that provider's keys too, so they reach its entrants only, never every container as a plain `sandbox.env` name.
 */
export const AGENT_PROVIDER_ENV: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'],
};

/** Host variables set (non-empty: an empty key is no key) among `names`. */
export function setVariables(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const set: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') set[name] = value;
  }
  return set;
}

/** Where `opencode auth login` keeps credentials on the host. */
export function opencodeAuthFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'opencode', 'auth.json');
}

/** Providers listed in opencode's auth file (its top-level keys), or null when it is missing or unreadable. */
export function authFileProviders(path: string): Set<string> | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? new Set(Object.keys(parsed)) : null;
  } catch {
    return null;
  }
}
