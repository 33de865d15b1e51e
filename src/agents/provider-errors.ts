// What a provider's refusal means, in words a user can act on. opencode reports it as the
// session's error (an APIError with the HTTP status, a ProviderAuthError, or an UnknownError);
// the raw text is kept in the transcript, the plain sentence goes to the status and the report.

export type ProviderFailureKind = 'missing-credentials' | 'auth' | 'forbidden' | 'unknown-model' | 'rate-limit' | 'quota' | 'unreachable' | 'other';

export interface ProviderFailure {
  kind: ProviderFailureKind;
  /** One plain sentence naming the provider, the cause and what to check. */
  message: string;
  /** opencode's error as it came, for the transcript. */
  raw: string;
  /** The whole account is refused (bad key, no quota): the provider's other entrants cannot do better. */
  stopsProvider: boolean;
}

export interface ProviderContext {
  provider: string;
  /** The variables the provider's key comes from (for "check ANTHROPIC_API_KEY"); empty if none are known. */
  envNames: readonly string[];
  model: string;
  /** The gateway's base URL (providers.<id>.baseURL), named when it cannot be reached. */
  baseURL?: string;
}

interface SessionErrorShape {
  name?: string;
  data?: { message?: string; statusCode?: number; responseBody?: string; providerID?: string };
}

export function rawErrorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as SessionErrorShape;
    const parts = [e.name, e.data?.statusCode !== undefined ? `HTTP ${e.data.statusCode}` : undefined, e.data?.message, e.data?.responseBody];
    const text = parts.filter(Boolean).join(': ');
    return text || JSON.stringify(error);
  }
  return typeof error === 'string' ? error : 'unknown session error';
}

const QUOTA = /quota|billing|credit|insufficient[_ ]?(funds|balance)|payment|exceeded your current/i;
const UNKNOWN_MODEL = /model.{0,40}(not[ _]found|does not exist|not exist|unknown|invalid model)|unknown model|model_not_found|no such model/i;
// What opencode (bun's fetch, through the AI SDK) says after its retries when no connection opens.
const UNREACHABLE = /cannot connect to api|unable to connect|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|getaddrinfo|fetch failed|socket hang up/i;
const AUTH = /api[ _-]?key|unauthori[sz]ed|authentication|invalid[ _]x-api-key|invalid[ _]token|credential/i;

/** Maps opencode's session error to its cause; `null` when it is not a provider's answer (a tool crash, an abort). */
export function explainProviderError(error: unknown, ctx: ProviderContext): ProviderFailure | null {
  const raw = rawErrorText(error);
  const e = (error && typeof error === 'object' ? error : {}) as SessionErrorShape;
  const text = `${e.data?.message ?? ''} ${e.data?.responseBody ?? ''}`;
  const status = e.data?.statusCode;
  const { provider } = ctx;
  const check = ctx.envNames.length > 0 ? `check ${ctx.envNames.join(' or ')}` : provider === 'scripted' ? 'the script answered so' : `check ${provider}'s API key`;
  const make = (kind: ProviderFailureKind, message: string): ProviderFailure => ({
    kind,
    message,
    raw,
    // An endpoint that no connection reaches is down for every entrant that uses it.
    stopsProvider: kind === 'auth' || kind === 'missing-credentials' || kind === 'quota' || kind === 'unreachable',
  });

  if (e.name === 'MessageAbortedError') return null;
  if (e.name === 'ProviderAuthError') return make('auth', `${provider} refused the credentials: ${check} (${e.data?.message ?? 'no detail'})`);
  if (e.name === 'UnknownError' && /model not found/i.test(text)) {
    // opencode says this both for a mistyped model and for a provider it has no key for (so it has no models).
    return make('missing-credentials', `opencode found no model ${ctx.model}: ${provider} has no credentials in the sandbox (${check}) or the model name is wrong (see "opencode models ${provider}")`);
  }
  if (status === 401) return make('auth', `${provider} rejected the API key (401): ${check}`);
  if (status === 402 || (QUOTA.test(text) && (status === 429 || status === 403 || status === 400))) {
    return make('quota', `${provider} refused for quota or billing (${status}): check the account's credit and plan`);
  }
  if (status === 403) return make('forbidden', `${provider} refused access (403): the key may lack permission for ${ctx.model}, or the account or region is restricted`);
  if (status === 404 || (status === 400 && UNKNOWN_MODEL.test(text))) return make('unknown-model', `${provider} does not know the model ${ctx.model} (${status}): check the name with "opencode models ${provider}"`);
  if (status === 429) return make('rate-limit', `${provider} rate-limited the requests (429): try fewer entrants, a later time, or a higher rate limit`);
  if (status === undefined && UNREACHABLE.test(`${text} ${raw}`)) {
    return make('unreachable', `${provider} could not be reached${ctx.baseURL ? ` at ${ctx.baseURL}` : ''}: check the base URL, DNS and the sandbox network (sandbox.network)`);
  }
  if (status === undefined && AUTH.test(text) && /missing|not set|no .*key|required/i.test(text)) {
    return make('missing-credentials', `${provider} has no API key in the sandbox: ${check}`);
  }
  return null;
}
