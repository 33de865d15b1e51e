import { describe, expect, it } from 'vitest';
import { explainProviderError, rawErrorText } from '../../src/agents/provider-errors.js';

const anthropic = { provider: 'anthropic', envNames: ['ANTHROPIC_API_KEY'], model: 'anthropic/claude-sonnet-4-5' };
const api = (statusCode: number | undefined, message: string, responseBody?: string) => ({ name: 'APIError', data: { message, statusCode, isRetryable: false, responseBody } });

describe('explainProviderError', () => {
  const table: [string, unknown, string | null, RegExp | null, boolean][] = [
    ['401', api(401, 'invalid x-api-key'), 'auth', /^anthropic rejected the API key \(401\): check ANTHROPIC_API_KEY$/, true],
    ['ProviderAuthError', { name: 'ProviderAuthError', data: { providerID: 'anthropic', message: 'no key' } }, 'auth', /anthropic refused the credentials: check ANTHROPIC_API_KEY/, true],
    ['403', api(403, 'permission denied'), 'forbidden', /anthropic refused access \(403\)/, false],
    ['403 billing', api(403, 'Your credit balance is too low'), 'quota', /quota or billing \(403\)/, true],
    ['402', api(402, 'payment required'), 'quota', /quota or billing \(402\)/, true],
    ['429 quota', api(429, 'You exceeded your current quota, please check your plan'), 'quota', /quota or billing \(429\)/, true],
    ['429 rate', api(429, 'rate limit exceeded'), 'rate-limit', /rate-limited the requests \(429\)/, false],
    ['404', api(404, 'model: claude-x'), 'unknown-model', /does not know the model anthropic\/claude-sonnet-4-5 \(404\)/, false],
    ['400 unknown model', api(400, 'bad', '{"error":{"code":"model_not_found"}}'), 'unknown-model', /does not know the model/, false],
    ['opencode has no such model', { name: 'UnknownError', data: { message: 'Model not found: anthropic/claude-sonnet-4-5' } }, 'missing-credentials', /no credentials in the sandbox \(check ANTHROPIC_API_KEY\) or the model name is wrong/, true],
    ['missing key, no status', api(undefined, 'Anthropic API key is missing. Pass it using the apiKey parameter'), 'missing-credentials', /has no API key in the sandbox: check ANTHROPIC_API_KEY/, true],
    ['500', api(500, 'overloaded'), null, null, false],
    ['abort', { name: 'MessageAbortedError', data: { message: 'aborted' } }, null, null, false],
    ['not an object', 'boom', null, null, false],
  ];
  for (const [label, error, kind, message, stops] of table) {
    it(label, () => {
      const failure = explainProviderError(error, anthropic);
      expect(failure?.kind ?? null).toBe(kind);
      if (message) expect(failure?.message).toMatch(message);
      expect(failure?.stopsProvider ?? false).toBe(stops);
      if (failure) expect(failure.raw).toBe(rawErrorText(error));
    });
  }

  it('names the provider\'s key variables, or says a script answered', () => {
    expect(explainProviderError(api(401, 'x'), { provider: 'google', envNames: ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY'], model: 'google/g' })?.message)
      .toBe('google rejected the API key (401): check GOOGLE_GENERATIVE_AI_API_KEY or GEMINI_API_KEY');
    expect(explainProviderError(api(401, 'x'), { provider: 'scripted', envNames: [], model: 'scripted/s' })?.message)
      .toBe('scripted rejected the API key (401): the script answered so');
  });

  it('keeps the raw text with the status and the body', () => {
    expect(rawErrorText(api(401, 'invalid x-api-key', '{"type":"error"}'))).toBe('APIError: HTTP 401: invalid x-api-key: {"type":"error"}');
  });
});
