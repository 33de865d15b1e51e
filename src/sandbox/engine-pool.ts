/** What the pool needs of an engine: its name (placement is bookkeeping; the engine is the caller's). */
export interface Placeable {
  readonly id: string;
}

/** One engine's place in the pool: at most `slots` jobs (an entrant or a referee job) at once. */
export interface PoolMember<E extends Placeable = Placeable> {
  engine: E;
  slots: number;
}

/** A job's hold on one slot of one engine; `release` is idempotent. */
export interface EngineLease<E extends Placeable = Placeable> {
  readonly engine: E;
  release(): void;
}

export class NoEngineLeft extends Error {
  constructor(readonly lost: { id: string; reason: string }[]) {
    super(`no Docker engine is left: ${lost.map((l) => `${l.id} (${l.reason})`).join('; ')}`);
  }
}

interface Waiter<E extends Placeable> {
  avoid: ReadonlySet<string>;
  resolve(lease: EngineLease<E>): void;
  reject(err: Error): void;
}

/**
 * Places jobs on engines with a free slot: the engine with the most free slots first (so entrants spread over the
 * engines rather than filling the first), ties in the configured order. Jobs wait, in arrival order, while every
 * engine is full. An engine marked lost takes no more jobs; its running jobs find out by their own errors.
 */
export class EnginePool<E extends Placeable = Placeable> {
  private readonly inUse = new Map<string, number>();
  private readonly lostReasons = new Map<string, string>();
  private readonly waiters: Waiter<E>[] = [];
  private readonly lostWatchers = new Map<string, ((reason: string) => void)[]>();

  constructor(private readonly members: readonly PoolMember<E>[]) {
    if (members.length === 0) throw new Error('an engine pool needs at least one engine');
    for (const m of members) this.inUse.set(m.engine.id, 0);
  }

  /** The first engine still up: where the one-per-run work goes (images built, benchmarks, the judge). */
  get primary(): E {
    const live = this.live();
    if (live.length === 0) throw new NoEngineLeft(this.lostList());
    return live[0]!.engine;
  }

  get engines(): E[] {
    return this.members.map((m) => m.engine);
  }

  /** Slots on engines still up: how many jobs can run at once. */
  get slots(): number {
    return this.live().reduce((sum, m) => sum + m.slots, 0);
  }

  slotsOf(id: string): number {
    return this.members.find((m) => m.engine.id === id)?.slots ?? 0;
  }

  isLost(id: string): boolean {
    return this.lostReasons.has(id);
  }

  lostList(): { id: string; reason: string }[] {
    return [...this.lostReasons].map(([id, reason]) => ({ id, reason }));
  }

  /**
   * A slot on an engine up and not in `avoid` (a job retried after losing its engine avoids it); waits while all
   * are full. Rejects with NoEngineLeft when no engine that could take the job is up.
   */
  acquire(avoid: Iterable<string> = []): Promise<EngineLease<E>> {
    const leased = new Promise<EngineLease<E>>((resolve, reject) => {
      this.waiters.push({ avoid: new Set(avoid), resolve, reject });
    });
    this.dispatch();
    return leased;
  }

  /** Takes the engine out of placement (say why, for the run's note and result.json). */
  markLost(id: string, reason: string): void {
    if (this.lostReasons.has(id) || !this.inUse.has(id)) return;
    this.lostReasons.set(id, reason);
    for (const notify of this.lostWatchers.get(id) ?? []) notify(reason);
    this.lostWatchers.delete(id);
    this.dispatch();
  }

  /** Resolves with the reason once the engine is marked lost (at once if it is already); never otherwise. */
  whenLost(id: string): Promise<string> {
    const reason = this.lostReasons.get(id);
    if (reason !== undefined) return Promise.resolve(reason);
    return new Promise((resolve) => this.lostWatchers.set(id, [...(this.lostWatchers.get(id) ?? []), resolve]));
  }

  private live(): PoolMember<E>[] {
    return this.members.filter((m) => !this.lostReasons.has(m.engine.id));
  }

  private dispatch(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i]!;
      const eligible = this.live().filter((m) => !waiter.avoid.has(m.engine.id));
      if (eligible.length === 0) {
        this.waiters.splice(i, 1);
        waiter.reject(new NoEngineLeft(this.lostList()));
        continue;
      }
      const free = eligible
        .map((m) => ({ m, free: m.slots - (this.inUse.get(m.engine.id) ?? 0) }))
        .filter((e) => e.free > 0)
        .sort((a, b) => b.free - a.free)[0];
      if (!free) {
        i += 1;
        continue;
      }
      this.waiters.splice(i, 1);
      waiter.resolve(this.lease(free.m.engine));
    }
  }

  private lease(engine: E): EngineLease<E> {
    this.inUse.set(engine.id, (this.inUse.get(engine.id) ?? 0) + 1);
    let held = true;
    return {
      engine,
      release: () => {
        if (!held) return;
        held = false;
        this.inUse.set(engine.id, (this.inUse.get(engine.id) ?? 1) - 1);
        this.dispatch();
      },
    };
  }
}
