import { describe, expect, it } from 'vitest';
import { acrossAttempts, reachedCap, RunBudgets } from '../../src/run/budget.js';
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

  it('sums the entrants for the run budget: refuses to start more, never stops a running rival', () => {
    const budgets = new RunBudgets({ costUsd: 1 });
    const a = budgets.forEntrant('a', undefined);
    const b = budgets.forEntrant('b', { costUsd: 5 });
    expect(a.report({ tokens: 0, costUsd: 0.6 })).toBeNull();
    expect(b.report({ tokens: 0, costUsd: 0.3 })).toBeNull();
    expect(budgets.spent().costUsd).toBeCloseTo(0.9);
    expect(budgets.forEntrant('c', undefined).refusal()).toBeNull();
    // Over the run's budget, but not its own: b runs on (a forged total from a rival must not stop it).
    expect(b.report({ tokens: 0, costUsd: 0.45 })).toBeNull();
    expect(budgets.forEntrant('c', undefined).refusal()).toBe("not started: the run's budget of $1.00 was spent ($1.05 by the entrants before it)");
  });

  it('counts an entrant run again after losing its engine from what its lost attempt used', () => {
    const budgets = new RunBudgets({ tokens: 10_000 });
    const attempt = acrossAttempts(budgets.forEntrant('a', { tokens: 1000 }));
    const first = attempt();
    expect(first.report({ tokens: 600, costUsd: 0 })).toBeNull();
    const second = attempt();
    expect(second.report({ tokens: 300, costUsd: 0 })).toBeNull();
    expect(budgets.spent().tokens).toBe(900);
    expect(second.report({ tokens: 400, costUsd: 0 })).toBe('stopped at its budget: used 1,000 tokens, budget 1,000 tokens');
  });

  it('keeps the judge from starting once the run budget is spent, and not before', () => {
    const budgets = new RunBudgets({ tokens: 1000 });
    const a = budgets.forEntrant('a', undefined);
    a.report({ tokens: 999, costUsd: 0 });
    expect(budgets.refusal()).toBeNull();
    a.report({ tokens: 1000, costUsd: 0 });
    expect(budgets.refusal()).toBe("the run's budget of 1,000 tokens was spent (1,000 tokens by the entrants)");
    expect(new RunBudgets(undefined).refusal()).toBeNull();
  });

  it('does not let forged or garbled reports stop rivals or switch the run budget off', () => {
    const budgets = new RunBudgets({ tokens: 1000 });
    const liar = budgets.forEntrant('liar', { tokens: 100 });
    const rival = budgets.forEntrant('rival', undefined);
    // A huge report stops the liar at its own budget, and counts toward the run's only up to that budget.
    expect(liar.report({ tokens: 1e12, costUsd: 0 })).toMatch(/^stopped at its budget/);
    expect(budgets.spent().tokens).toBe(100);
    expect(rival.report({ tokens: 1, costUsd: 0 })).toBeNull();
    expect(budgets.forEntrant('later', undefined).refusal()).toBeNull();
    // NaN, negative and infinite reports count as nothing, and never lower what was already counted.
    for (const bad of [Number.NaN, -1e9, Number.POSITIVE_INFINITY]) expect(rival.report({ tokens: bad, costUsd: bad })).toBeNull();
    expect(budgets.spent()).toEqual({ tokens: 101, costUsd: 0 });
    expect(rival.report({ tokens: 5000, costUsd: 0 })).toBeNull();
    expect(budgets.forEntrant('later', undefined).refusal()).toMatch(/^not started: the run's budget of 1,000 tokens was spent/);
  });

  it('leaves a run without budgets alone', () => {
    const budgets = new RunBudgets(undefined);
    const a = budgets.forEntrant('a', undefined);
    expect(a.report({ tokens: 1e9, costUsd: 1e5 })).toBeNull();
    expect(budgets.forEntrant('b', undefined).refusal()).toBeNull();
  });
});
