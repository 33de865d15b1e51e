import { describe, expect, it } from 'vitest';
import { ProviderStops } from '../../src/run/provider-stops.js';

describe('ProviderStops', () => {
  it('counts distinct entrants reporting a refusal: one (possibly forged) report is not enough proof', () => {
    const stops = new ProviderStops(new AbortController().signal);
    expect(stops.reported('anthropic', 'hostile')).toBe(1);
    // The same entrant saying it again counts once.
    expect(stops.reported('anthropic', 'hostile')).toBe(1);
    expect(stops.reported('openai', 'other')).toBe(1);
    expect(stops.reported('anthropic', 'honest')).toBe(2);
    expect(stops.stopped('anthropic')).toBe(false);
    stops.stop('anthropic', { message: 'anthropic rejected the API key (401)', kind: 'auth', raw: '401', stopsProvider: true }, 'entrant "honest"');
    expect(stops.stopped('anthropic')).toBe(true);
    expect(stops.signalFor('anthropic').reason).toMatch(/^stopped early: anthropic rejected the API key \(401\) \(seen by entrant "honest"\)$/);
    expect(stops.stopped('openai')).toBe(false);
  });
});
