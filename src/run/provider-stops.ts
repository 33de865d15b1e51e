import type { ProviderFailure } from '../agents/provider-errors.js';

/**
 * One switch per provider: when a provider refuses the account (bad key, no quota), its other
 * entrants are stopped at once instead of each retrying into its time limit, once the refusal is
 * confirmed (by tourney's own scripted server, or by a second entrant: see `reported`). Scripted models all
 * share provider "scripted", as opencode sees them, so a scripted refusal stops the scripted entrants.
 */
export class ProviderStops {
  private readonly controllers = new Map<string, AbortController>();
  private readonly reporters = new Map<string, Set<string>>();

  constructor(private readonly run: AbortSignal) {}

  /** Fires on Ctrl-C (no reason) or when `provider` is stopped (the reason is the sentence to show). */
  signalFor(provider: string): AbortSignal {
    return AbortSignal.any([this.run, this.controller(provider).signal]);
  }

  /** Stops `provider`'s other entrants; the first refusal wins, later ones change nothing. */
  stop(provider: string, failure: ProviderFailure, by: string): void {
    const controller = this.controller(provider);
    if (controller.signal.aborted || !failure.stopsProvider) return;
    controller.abort(`stopped early: ${failure.message} (seen by ${by})`);
  }

  /**
   * Records that `by` saw `provider` refuse, and returns how many distinct entrants have. What an agent says of its
   * provider is its own output, which the entrant can write into: one report alone is no proof for the others.
   */
  reported(provider: string, by: string): number {
    const seen = this.reporters.get(provider) ?? new Set<string>();
    seen.add(by);
    this.reporters.set(provider, seen);
    return seen.size;
  }

  stopped(provider: string): boolean {
    return this.controller(provider).signal.aborted;
  }

  private controller(provider: string): AbortController {
    let controller = this.controllers.get(provider);
    if (!controller) {
      controller = new AbortController();
      this.controllers.set(provider, controller);
    }
    return controller;
  }
}
