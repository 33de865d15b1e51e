import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/sandbox/engine.js';
import { EnginePool } from '../../src/sandbox/engine-pool.js';
import { onEngine } from '../../src/run/placement.js';
import type { RunEvent } from '../../src/run/events.js';

// Placement's retry rule, on engines that are only names (no Docker): a job runs again elsewhere only when its engine
// is lost, never because the job itself failed.
const engine = (id: string) => ({ id, host: `unix:///tmp/${id}.sock`, reach: 'address' }) as unknown as Engine;

function setup() {
  const a = engine('a');
  const b = engine('b');
  const pool = new EnginePool<Engine>([{ engine: a, slots: 1 }, { engine: b, slots: 1 }]);
  const events: RunEvent[] = [];
  return { a, b, pool, events, reporter: { onEvent: (e: RunEvent) => events.push(e) } };
}

describe('onEngine', () => {
  it('a job that fails on an engine that still answers is not retried, whatever it says', async () => {
    const { pool, reporter, events } = setup();
    const calls: string[] = [];
    const placed = await onEngine(pool, 'x', async (e) => (calls.push(e.id), 'error'), (v) => v === 'error', reporter, { checkLost: async () => null });
    expect(calls).toEqual(['a']);
    expect(placed).toEqual({ value: 'error', engine: 'a' });
    expect(pool.isLost('a')).toBe(false);
    expect(events).toEqual([]);
  });

  it('a job whose engine is lost under it runs once more on another, and the run says so', async () => {
    const { pool, reporter, events } = setup();
    const calls: string[] = [];
    const placed = await onEngine(pool, 'x', async (e) => (calls.push(e.id), e.id === 'a' ? 'error' : 'fine'), (v) => v === 'error', reporter, { checkLost: async (e) => (e.id === 'a' ? 'it stopped answering (ENOENT)' : null) });
    expect(calls).toEqual(['a', 'b']);
    expect(placed).toEqual({ value: 'fine', engine: 'b', retried: { engine: 'a', reason: 'it stopped answering (ENOENT)' } });
    expect(pool.lostList()).toEqual([{ id: 'a', reason: 'it stopped answering (ENOENT)' }]);
    expect(events.map((e) => ('message' in e ? e.message : ''))).toEqual([
      'engine a (unix:///tmp/a.sock) is lost: it stopped answering (ENOENT); it takes no more work this run',
      'x: its engine a was lost mid-run; running it again on another engine (once)',
    ]);
  });

  it('a job on an engine gone silent is not waited for: the watch marking it lost moves the job', async () => {
    const { pool, reporter } = setup();
    const calls: string[] = [];
    const placing = onEngine(pool, 'x', async (e) => {
      calls.push(e.id);
      if (e.id === 'a') return new Promise<string>(() => undefined); // never settles, as calls to a silent engine
      return 'fine';
    }, () => false, reporter, { checkLost: async () => null });
    await new Promise((r) => setTimeout(r, 20));
    pool.markLost('a', 'it stopped answering (no answer in 5 s) three times in a row');
    expect(await placing).toEqual({ value: 'fine', engine: 'b', retried: { engine: 'a', reason: 'it stopped answering (no answer in 5 s) three times in a row' } });
    expect(calls).toEqual(['a', 'b']);
  });

  it('retries once only: a job that loses its second engine too ends with its own failure, and no engine is left', async () => {
    const { pool, reporter } = setup();
    const calls: string[] = [];
    const placed = await onEngine(pool, 'x', async (e) => (calls.push(e.id), 'error'), (v) => v === 'error', reporter, { checkLost: async () => 'gone' });
    expect(calls).toEqual(['a', 'b']);
    expect(placed).toEqual({ value: 'error', engine: 'b', retried: { engine: 'a', reason: 'gone' } });
    expect(pool.slots).toBe(0);
    await expect(onEngine(pool, 'y', async () => 'fine', () => false, reporter)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('no Docker engine is left: a (gone); b (gone)') });
  });

  it('with one engine there is no retry and no loss check', async () => {
    const only = engine('only');
    const pool = new EnginePool<Engine>([{ engine: only, slots: 1 }]);
    let checked = false;
    const placed = await onEngine(pool, 'x', async () => 'error', () => true, { onEvent: () => undefined }, { checkLost: async () => ((checked = true), 'gone') });
    expect(placed).toEqual({ value: 'error', engine: 'only' });
    expect(checked).toBe(false);
  });
});
