import { describe, expect, it } from 'vitest';
import { saneUsage } from '../../src/run/entrant.js';

describe('saneUsage (an agent reports its own usage, and the entrant can write into that report)', () => {
  it('keeps honest numbers and bounds forged ones so result.json stays readable', () => {
    const honest = { status: 'finished' as const, tokens: { input: 1200, output: 300, reasoning: 0, cacheRead: 10, cacheWrite: 0 }, costUsd: 0.0123, durationMs: 5, toolCalls: 4, deniedPermissions: ['write /etc/x'] };
    expect(saneUsage(honest)).toEqual(honest);
    const forged = saneUsage({
      ...honest,
      tokens: { input: 0.5, output: 1e300, reasoning: -7, cacheRead: Number.NaN, cacheWrite: Number.MAX_SAFE_INTEGER * 2 },
      costUsd: Infinity,
      toolCalls: 2.5,
      deniedPermissions: Array.from({ length: 10_000 }, () => 'x'.repeat(10_000)),
    });
    expect(forged.tokens).toEqual({ input: 0, output: 1e12, reasoning: 0, cacheRead: 0, cacheWrite: 1e12 });
    expect(forged.costUsd).toBe(0);
    expect(forged.toolCalls).toBe(2);
    expect(forged.deniedPermissions.length).toBe(200);
    expect(forged.deniedPermissions.every((d) => d.length <= 300)).toBe(true);
    for (const n of Object.values(forged.tokens)) expect(Number.isSafeInteger(n)).toBe(true);
  });
});
