import type { Config } from '@opencode-ai/sdk/v2/client';
import { opencodeProviderBlock } from './gateways.js';
import { AGENT_SERVER_PORT } from './kind.js';
import { SCRIPTED_PROVIDER, SCRIPTED_TITLE_MODEL, parseModel, type EntrantGateway } from './models.js';

export { SCRIPTED_PROVIDER, SCRIPTED_TITLE_MODEL, parseModel, isScripted, type ModelRef, type EntrantGateway } from './models.js';
/** opencode serve's port: the one agent-server port (see AGENT_SERVER_PORT). */
export const OPENCODE_PORT = AGENT_SERVER_PORT;

/**
 * Unattended permissions: an entrant may edit and run commands in its own work dir, and nothing
 * else. Anything that would ask a human is denied, because nobody is there to answer.
 */
export const ENTRANT_PERMISSIONS = {
  edit: 'allow',
  bash: 'allow',
  read: 'allow',
  webfetch: 'deny',
  websearch: 'deny',
  external_directory: 'deny',
  question: 'deny',
  doom_loop: 'deny',
} as const;

/** The opencode config an entrant's server runs with (given as OPENCODE_CONFIG_CONTENT). */
export function entrantOpencodeConfig(model: string, scriptedBaseUrl: string | null, gateway?: EntrantGateway): Config {
  const ref = parseModel(model);
  const base = {
    model,
    autoupdate: false,
    share: 'disabled',
    permission: ENTRANT_PERMISSIONS,
  } satisfies Config;
  if (ref.providerID !== SCRIPTED_PROVIDER) {
    if (!gateway) return base;
    // Only the gateway's provider: opencode's small model for titles then comes from it too, not from another provider.
    return { ...base, enabled_providers: [ref.providerID], provider: { [ref.providerID]: opencodeProviderBlock(gateway.settings, gateway.keyless) } };
  }
  if (!scriptedBaseUrl) throw new Error(`entrant model ${model} needs the scripted model server, which is not running`);
  const limits = { name: '', tool_call: true, limit: { context: 200_000, output: 32_000 }, cost: { input: 0, output: 0 } };
  return {
    ...base,
    small_model: `${SCRIPTED_PROVIDER}/${SCRIPTED_TITLE_MODEL}`,
    enabled_providers: [SCRIPTED_PROVIDER],
    provider: {
      [SCRIPTED_PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted (tourney)',
        options: { baseURL: scriptedBaseUrl, apiKey: 'scripted' },
        models: {
          [ref.modelID]: { ...limits, name: ref.modelID },
          [SCRIPTED_TITLE_MODEL]: { ...limits, name: 'title' },
        },
      },
    },
  };
}

/** Environment for `opencode serve` inside a sandbox; `serverEnv` (its password, a proxy) wins over passed variables. */
export function entrantEnv(config: Config, passThrough: Record<string, string>, serverEnv: Record<string, string> = {}): Record<string, string> {
  return {
    ...passThrough,
    ...serverEnv,
    OPENCODE_CONFIG_CONTENT: JSON.stringify(config),
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    // An agent could write an opencode.json into its work dir to grant itself permissions.
    OPENCODE_DISABLE_PROJECT_CONFIG: '1',
    HOME: '/home/tourney',
  };
}
