import { describe, expect, it } from 'vitest';
import { reachedCap, RunBudgets } from '../../src/run/budget.js';
import { usageTokens } from '../../src/agents/kind.js';

describe('budget arithmetic', () => {
  it('counts every kind of token', () => {
    expect(usageTokens({ input: 1, output: 2, reasoning: 4, cacheRead: 8, cacheWrite: 16 })).toBe(31);
  });

  it('reaches a cap at or over it, tokens before cost, and never without a budget', () => {
    expect(reachedCap({ tokens: 999, costUsd: 0.49 }, { tokens: 1000, costUsd: 0.5 })).toBeNull();
    expect(reachedCap({ tokens: 1000, costUsd: 0 }, { tokens: 1000 })).toEqual({ used: '1,000 tokens', cap: '1,000 tokens' });
    expect(reachedCap({ tokens: 5, costUsd: 2.5 }, { tokens: 1000, costUsd: 2 })).toEqual({ used: '$2.50', cap: '$2.00' });
    expect(reachedCap({ tokens: 1e9, costUsd: 1e3 }, undefined)).toBeNull();
    expect(reachedCap({ tokens: 1e9, costUsd: 1e3 }, {})).toBeNull();
  });

  it('stops an entrant at its own budget, from running totals', () => {
    const budgets = new RunBudgets(undefined);
    const a = budgets.forEntrant('a', { tokens: 100 });
    expect(a.refusal()).toBeNull();
    expect(a.report({ tokens: 60, costUsd: 0 })).toBeNull();
    // A total, not an increment: 90 is under 100 although 60 + 90 is not.
    expect(a.report({ tokens: 90, costUsd: 0 })).toBeNull();
    expect(a.report({ tokens: 100, costUsd: 0 })).toBe('stopped at its budget: used 100 tokens, budget 100 tokens');
    // A smaller total later does not give the budget back.
    expect(a.report({ tokens: 10, costUsd: 0 })).toBe('stopped at its budget: used 100 tokens, budget 100 tokens');
  });

  it('sums the entrants for the run budget: stops those running, refuses to start more', () => {
    const budgets = new RunBudgets({ costUsd: 1 });
    const a = budgets.forEntrant('a', undefined);
    const b = budgets.forEntrant('b', { costUsd: 5 });
    expect(a.report({ tokens: 0, costUsd: 0.6 })).toBeNull();
    expect(b.report({ tokens: 0, costUsd: 0.3 })).toBeNull();
    expect(budgets.spent().costUsd).toBeCloseTo(0.9);
    expect(budgets.forEntrant('c', undefined).refusal()).toBeNull();
    expect(b.report({ tokens: 0, costUsd: 0.45 })).toBe("stopped at the run's budget: all entrants used $1.05, budget $1.00");
    expect(budgets.forEntrant('c', undefined).refusal()).toBe("not started: the run's budget of $1.00 was spent ($1.05 by the entrants before it)");
  });

  it('leaves a run without budgets alone', () => {
    const budgets = new RunBudgets(undefined);
    const a = budgets.forEntrant('a', undefined);
    expect(a.report({ tokens: 1e9, costUsd: 1e5 })).toBeNull();
    expect(budgets.forEntrant('b', undefined).refusal()).toBeNull();
  });
});
