import { describe, expect, it } from 'vitest';
import { SMALL_LINES_AFTER_BUDGET, streamBudget } from '../../src/agents/stream-budget.js';

describe('streamBudget (a flood of agent events cannot fill tourney memory or the host disk)', () => {
  it('lets lines through up to the budget, then only small ones, then none', () => {
    const budget = streamBudget(1000);
    expect(budget.admit('x'.repeat(600))).toBe(true);
    expect(budget.admit('y'.repeat(400))).toBe(true);
    // Over the budget: a big content line is refused, a small control line (a result, usage) still passes.
    expect(budget.admit('z'.repeat(5000))).toBe(false);
    expect(budget.admit('{"type":"result","is_error":false}')).toBe(true);
    let passed = 0;
    for (let i = 0; i < SMALL_LINES_AFTER_BUDGET + 50; i++) if (budget.admit('{"type":"x"}')) passed += 1;
    expect(passed).toBe(SMALL_LINES_AFTER_BUDGET - 1);
    expect(budget.dropped).toBe(1 + 51);
  });
});
