import type { Budget } from '../types.js';
import type { LiveUsage } from '../agents/kind.js';

const tokensText = (n: number) => `${Math.round(n).toLocaleString('en-US')} tokens`;
const usdText = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** Which cap `used` has reached, described ("20,000 tokens"), or null while under both. */
export function reachedCap(used: LiveUsage, budget: Budget | undefined): { used: string; cap: string } | null {
  if (budget?.tokens !== undefined && used.tokens >= budget.tokens) return { used: tokensText(used.tokens), cap: tokensText(budget.tokens) };
  if (budget?.costUsd !== undefined && used.costUsd >= budget.costUsd) return { used: usdText(used.costUsd), cap: usdText(budget.costUsd) };
  return null;
}

/** What one entrant asks of the run's budgets: whether it may start, and whether its usage so far must stop it. */
export interface EntrantBudget {
  /** Why it must not start (the run's budget is spent), or null. */
  refusal(): string | null;
  /** Records its usage so far (a running total); why it must stop now, or null. */
  report(total: LiveUsage): string | null;
}

/** A reported number as usage: anything not finite and at least 0 (a garbled or forged report) counts as nothing. */
const sane = (n: number) => (Number.isFinite(n) && n > 0 ? Math.min(n, Number.MAX_SAFE_INTEGER) : 0);

/**
 * The run's budget and each entrant's own. An entrant's usage is the running total it last reported, so reports
 * may come as often as a kind likes; the run's usage is the sum of those totals over every entrant started.
 * Reports are the agent's own output, which a hostile entrant can forge: so the run's budget only keeps new
 * entrants from starting (it never stops a running rival), and an entrant with a budget of its own counts
 * toward the run's at most up to it.
 */
export class RunBudgets {
  private readonly used = new Map<string, LiveUsage>();

  constructor(private readonly run: Budget | undefined) {}

  spent(): LiveUsage {
    let tokens = 0;
    let costUsd = 0;
    for (const u of this.used.values()) {
      tokens += u.tokens;
      costUsd += u.costUsd;
    }
    return { tokens, costUsd };
  }

  /** Why no further work (the judge) may start: the run's budget is spent. */
  refusal(): string | null {
    const reached = reachedCap(this.spent(), this.run);
    return reached ? `the run's budget of ${reached.cap} was spent (${reached.used} by the entrants)` : null;
  }

  forEntrant(name: string, own: Budget | undefined): EntrantBudget {
    return {
      refusal: () => {
        const reached = reachedCap(this.spent(), this.run);
        return reached ? `not started: the run's budget of ${reached.cap} was spent (${reached.used} by the entrants before it)` : null;
      },
      report: (total) => {
        // Totals only grow; a smaller one (a kind that re-counts after a restart) must not give budget back.
        const before = this.used.get(name) ?? { tokens: 0, costUsd: 0 };
        const next = { tokens: Math.max(before.tokens, sane(total.tokens)), costUsd: Math.max(before.costUsd, sane(total.costUsd)) };
        const mine = reachedCap(next, own);
        this.used.set(name, {
          tokens: own?.tokens !== undefined ? Math.min(next.tokens, own.tokens) : next.tokens,
          costUsd: own?.costUsd !== undefined ? Math.min(next.costUsd, own.costUsd) : next.costUsd,
        });
        return mine ? `stopped at its budget: used ${mine.used}, budget ${mine.cap}` : null;
      },
    };
  }
}

/**
 * One entrant's budget over its attempts (it runs again after losing its engine): each attempt's agent reports from 0,
 * the budget sees what the earlier attempts used plus this one's total. Each call starts an attempt.
 */
export function acrossAttempts(budget: EntrantBudget): () => EntrantBudget {
  let latest: LiveUsage = { tokens: 0, costUsd: 0 };
  return () => {
    const before = latest;
    return {
      refusal: () => budget.refusal(),
      report: (total) => budget.report((latest = { tokens: before.tokens + total.tokens, costUsd: before.costUsd + total.costUsd })),
    };
  };
}
