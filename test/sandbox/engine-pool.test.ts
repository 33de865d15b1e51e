import { describe, expect, it } from 'vitest';
import { EnginePool, NoEngineLeft } from '../../src/sandbox/engine-pool.js';

const engine = (id: string) => ({ id });
const settled = async <T>(p: Promise<T>) => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((r) => setImmediate(r));
  return state;
};

describe('EnginePool', () => {
  it('spreads jobs over the engines (most free slots first), then queues them in arrival order', async () => {
    const pool = new EnginePool([{ engine: engine('a'), slots: 2 }, { engine: engine('b'), slots: 2 }]);
    const leases = [await pool.acquire(), await pool.acquire(), await pool.acquire(), await pool.acquire()];
    expect(leases.map((l) => l.engine.id)).toEqual(['a', 'b', 'a', 'b']);
    const fifth = pool.acquire();
    const sixth = pool.acquire();
    expect(await settled(fifth)).toBe('pending');
    leases[1]!.release();
    expect((await fifth).engine.id).toBe('b');
    expect(await settled(sixth)).toBe('pending');
    leases[1]!.release(); // a second release of the same lease frees nothing more
    expect(await settled(sixth)).toBe('pending');
    leases[0]!.release();
    expect((await sixth).engine.id).toBe('a');
  });

  it('a lost engine takes no more jobs; a retried job avoids the engine it lost', async () => {
    const pool = new EnginePool([{ engine: engine('a'), slots: 1 }, { engine: engine('b'), slots: 3 }]);
    expect(pool.slots).toBe(4);
    pool.markLost('b', 'engine stopped answering');
    expect(pool.slots).toBe(1);
    expect(pool.isLost('b')).toBe(true);
    const first = await pool.acquire();
    expect(first.engine.id).toBe('a');
    const waiting = pool.acquire();
    expect(await settled(waiting)).toBe('pending');
    first.release();
    expect((await waiting).engine.id).toBe('a');
    await expect(pool.acquire(['a'])).rejects.toBeInstanceOf(NoEngineLeft);
  });

  it('jobs waiting for a full engine fail when the last engine is lost, naming every lost engine and why', async () => {
    const pool = new EnginePool([{ engine: engine('a'), slots: 1 }, { engine: engine('b'), slots: 1 }]);
    await pool.acquire();
    await pool.acquire();
    const waiting = pool.acquire();
    pool.markLost('a', 'ping failed');
    expect(await settled(waiting)).toBe('pending');
    pool.markLost('b', 'connection refused');
    await expect(waiting).rejects.toThrow('no Docker engine is left: a (ping failed); b (connection refused)');
    expect(() => pool.primary).toThrow(NoEngineLeft);
  });

  it('the primary engine is the first one still up', () => {
    const pool = new EnginePool([{ engine: engine('a'), slots: 1 }, { engine: engine('b'), slots: 1 }]);
    expect(pool.primary.id).toBe('a');
    pool.markLost('a', 'gone');
    expect(pool.primary.id).toBe('b');
    expect(pool.lostList()).toEqual([{ id: 'a', reason: 'gone' }]);
    expect(() => new EnginePool([])).toThrow('at least one engine');
  });
});
