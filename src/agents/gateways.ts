// Provider gateways: `providers.<id>` in the config points a provider (built in or custom) at another
// endpoint (a company LLM gateway, LiteLLM, a regional URL), with its own key variable and headers.
// Translated here into opencode's provider config; nothing else needs to know opencode's shape.
import type { Config } from '@opencode-ai/sdk/v2/client';

export interface GatewayModel {
  name?: string;
  /** Context window in tokens (opencode needs one for models it does not know). */
  context?: number;
  output?: number;
}

export interface ProviderSettings {
  baseURL?: string;
  /** The host variable holding the key: passed to this provider's containers only, read by opencode from there. */
  apiKeyEnv?: string;
  /** Sent with every request; a value `{env:NAME}` is read from the host variable NAME inside the sandbox. */
  headers?: Record<string, string>;
  /** AI SDK package for a provider opencode does not know, e.g. `@ai-sdk/openai-compatible`. */
  npm?: string;
  name?: string;
  /** Models offered beyond (or, for custom providers, instead of) opencode's catalogue. */
  models?: Record<string, GatewayModel>;
}

export type ProviderSettingsMap = Record<string, ProviderSettings>;

/** Placeholder key for a gateway that needs none: opencode drops a provider that has no key at all. */
export const NO_KEY = 'tourney-no-key';

// opencode substitutes `{env:NAME}` anywhere in a value ("Bearer {env:GW_TOKEN}").
const ENV_REF = /\{env:([A-Z_][A-Z0-9_]*)\}/g;

/** The entrant's settings for `provider`: the top-level block, overridden key by key by the entrant's own. */
export function settingsFor(provider: string, global: ProviderSettingsMap, own: ProviderSettingsMap | undefined): ProviderSettings | undefined {
  let top = global[provider];
  const mine = own?.[provider];
  if (!top && !mine) return undefined;
  // Another endpoint is another account: the top level's key and headers are not sent there unless named again.
  if (top && mine?.baseURL && mine.baseURL !== top.baseURL) {
    top = { ...top };
    delete top.apiKeyEnv;
    delete top.headers;
  }
  return {
    ...top,
    ...mine,
    ...((top?.headers ?? mine?.headers) && { headers: { ...top?.headers, ...mine?.headers } }),
    ...((top?.models ?? mine?.models) && { models: { ...top?.models, ...mine?.models } }),
  };
}

/** Host variables the settings read: the key variable and every `{env:NAME}` header value. */
export function referencedVariables(settings: ProviderSettings): string[] {
  const names = settings.apiKeyEnv ? [settings.apiKeyEnv] : [];
  for (const value of Object.values(settings.headers ?? {})) {
    for (const match of value.matchAll(ENV_REF)) if (match[1]) names.push(match[1]);
  }
  return [...new Set(names)];
}

export function headerVariables(settings: ProviderSettings): string[] {
  return referencedVariables({ ...settings, apiKeyEnv: undefined });
}

/** `host:port` of the gateway, for network policies; null without a base URL. */
export function gatewayEndpoint(settings: ProviderSettings | undefined): { host: string; port: number } | null {
  if (!settings?.baseURL) return null;
  const url = new URL(settings.baseURL);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/**
 * opencode's `provider.<id>` block for these settings. `keyless`: no key variable reaches the
 * sandbox, so the SDK gets a placeholder (the gateway adds or needs no key).
 */
export function opencodeProviderBlock(settings: ProviderSettings, keyless: boolean): NonNullable<Config['provider']>[string] {
  const options: Record<string, unknown> = {};
  if (settings.baseURL) options.baseURL = settings.baseURL;
  if (settings.headers) options.headers = settings.headers;
  if (keyless) options.apiKey = NO_KEY;
  const models = settings.models
    ? Object.fromEntries(
        Object.entries(settings.models).map(([id, m]) => [
          id,
          {
            name: m.name ?? id,
            tool_call: true,
            ...(m.context !== undefined || m.output !== undefined ? { limit: { context: m.context ?? 128_000, output: m.output ?? 16_000 } } : {}),
          },
        ]),
      )
    : undefined;
  return {
    ...(settings.npm && { npm: settings.npm }),
    ...(settings.name && { name: settings.name }),
    // opencode reads the key from the variables a provider lists; the sandbox gets exactly this one.
    ...(settings.apiKeyEnv && { env: [settings.apiKeyEnv] }),
    ...(Object.keys(options).length > 0 && { options }),
    ...(models && { models }),
  };
}
