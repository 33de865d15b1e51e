import { describe, expect, it } from 'vitest';
import { buildMatch, combineOrders, combinePanel, orderPair } from '../../src/judge/verdicts.js';
import type { JudgeOutcome, Outcome } from '../../src/judge/types.js';
import { call } from './helpers.js';

const judged = (...outcomes: Outcome[]): JudgeOutcome[] => outcomes.map((outcome, i) => ({ judge: `j${i}`, outcome, flipped: false }));

describe('combineOrders', () => {
  it('gives the win to the entrant both orders name, in a/b terms whatever order came first', () => {
    expect(combineOrders(call('j', 'alpha', 'beta', 'A'), call('j', 'beta', 'alpha', 'B'))).toEqual({ judge: 'j', outcome: 'a', flipped: false });
    expect(combineOrders(call('j', 'alpha', 'beta', 'B'), call('j', 'beta', 'alpha', 'A'))).toEqual({ judge: 'j', outcome: 'b', flipped: false });
    expect(combineOrders(call('j', 'beta', 'alpha', 'A'), call('j', 'alpha', 'beta', 'B'))).toEqual({ judge: 'j', outcome: 'b', flipped: false });
  });

  it('turns a verdict that followed the position into a flipped tie', () => {
    expect(combineOrders(call('j', 'alpha', 'beta', 'A'), call('j', 'beta', 'alpha', 'A'))).toEqual({ judge: 'j', outcome: 'tie', flipped: true });
    expect(combineOrders(call('j', 'alpha', 'beta', 'B'), call('j', 'beta', 'alpha', 'B'))).toEqual({ judge: 'j', outcome: 'tie', flipped: true });
  });

  it('is a plain tie when either order says tie', () => {
    expect(combineOrders(call('j', 'alpha', 'beta', 'tie'), call('j', 'beta', 'alpha', 'B'))).toEqual({ judge: 'j', outcome: 'tie', flipped: false });
    expect(combineOrders(call('j', 'alpha', 'beta', 'A'), call('j', 'beta', 'alpha', 'tie'))).toEqual({ judge: 'j', outcome: 'tie', flipped: false });
    expect(combineOrders(call('j', 'alpha', 'beta', 'tie'), call('j', 'beta', 'alpha', 'tie')).outcome).toBe('tie');
  });

  it('fails the judge when either call failed', () => {
    expect(combineOrders(call('j', 'alpha', 'beta', null), call('j', 'beta', 'alpha', 'B'))).toEqual({ judge: 'j', outcome: 'failed', flipped: false });
    expect(combineOrders(call('j', 'alpha', 'beta', 'A'), call('j', 'beta', 'alpha', null)).outcome).toBe('failed');
    expect(combineOrders(call('j', 'alpha', 'beta', null), call('j', 'beta', 'alpha', null)).outcome).toBe('failed');
  });

  it('rejects calls that are not the two orders of one pair by one judge', () => {
    expect(() => combineOrders(call('j', 'alpha', 'beta', 'A'), call('j', 'alpha', 'beta', 'A'))).toThrow(/two orders/);
    expect(() => combineOrders(call('j', 'alpha', 'beta', 'A'), call('k', 'beta', 'alpha', 'B'))).toThrow(/different judges/);
  });
});

describe('combinePanel', () => {
  it('follows the majority and reports the share that agreed', () => {
    expect(combinePanel(judged('a', 'a', 'b'))).toEqual({ outcome: 'a', agreement: 2 / 3 });
    expect(combinePanel(judged('b', 'tie', 'b', 'b'))).toEqual({ outcome: 'b', agreement: 3 / 4 });
    expect(combinePanel(judged('tie', 'tie', 'a'))).toEqual({ outcome: 'tie', agreement: 2 / 3 });
  });

  it('calls a split panel a tie', () => {
    expect(combinePanel(judged('a', 'b'))).toEqual({ outcome: 'tie', agreement: 0 });
    expect(combinePanel(judged('a', 'b', 'tie'))).toEqual({ outcome: 'tie', agreement: 1 / 3 });
    expect(combinePanel(judged('a', 'tie'))).toEqual({ outcome: 'tie', agreement: 1 / 2 });
  });

  it('leaves failed judges out of the vote and the agreement', () => {
    expect(combinePanel(judged('a', 'failed', 'a'))).toEqual({ outcome: 'a', agreement: 1 });
    expect(combinePanel(judged('failed', 'b', 'failed'))).toEqual({ outcome: 'b', agreement: 1 });
  });

  it('fails when every judge failed', () => {
    expect(combinePanel(judged('failed', 'failed'))).toEqual({ outcome: 'failed', agreement: 0 });
    expect(combinePanel([])).toEqual({ outcome: 'failed', agreement: 0 });
  });
});

describe('buildMatch', () => {
  it('orders the pair and combines each judge, then the panel', () => {
    const calls = [
      call('opus', 'beta', 'alpha', 'B'),
      call('gpt', 'alpha', 'beta', 'A'),
      call('opus', 'alpha', 'beta', 'A'),
      call('gpt', 'beta', 'alpha', 'B'),
      call('gemini', 'alpha', 'beta', 'A'),
      call('gemini', 'beta', 'alpha', 'A'),
    ];
    const m = buildMatch('beta', 'alpha', calls);
    expect(m).toMatchObject({ a: 'alpha', b: 'beta', outcome: 'a', agreement: 2 / 3 });
    expect(m.perJudge).toEqual([
      { judge: 'opus', outcome: 'a', flipped: false },
      { judge: 'gpt', outcome: 'a', flipped: false },
      { judge: 'gemini', outcome: 'tie', flipped: true },
    ]);
    expect(m.calls).toEqual(calls);
  });

  it('fails a judge with a missing order and prefers a retried call that succeeded', () => {
    const m = buildMatch('alpha', 'beta', [
      call('opus', 'alpha', 'beta', 'B'),
      call('gpt', 'alpha', 'beta', null),
      call('gpt', 'alpha', 'beta', 'B'),
      call('gpt', 'beta', 'alpha', 'A'),
      call('gpt', 'beta', 'alpha', null),
    ]);
    expect(m.perJudge).toEqual([
      { judge: 'opus', outcome: 'failed', flipped: false },
      { judge: 'gpt', outcome: 'b', flipped: false },
    ]);
    expect(m).toMatchObject({ outcome: 'b', agreement: 1 });
  });

  it('is failed with no usable calls and rejects calls from another match', () => {
    expect(buildMatch('alpha', 'beta', [])).toMatchObject({ outcome: 'failed', agreement: 0, perJudge: [] });
    expect(() => buildMatch('alpha', 'beta', [call('j', 'alpha', 'gamma', 'A')])).toThrow(/does not belong/);
    expect(() => buildMatch('alpha', 'alpha', [])).toThrow(/itself/);
  });

  it('orders pairs by code unit, not locale', () => {
    expect(orderPair('b', 'B')).toEqual(['B', 'b']);
    expect(orderPair('a', 'b')).toEqual(['a', 'b']);
  });
});
