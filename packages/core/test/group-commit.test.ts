import { describe, expect, it } from 'vitest';
import { groupCommit } from '../src/gateway/group-commit.js';

/** A writer whose calls wait until released, recording what each call got. */
function heldWriter(fail: (item: string) => boolean = () => false) {
  const calls: { items: string[]; release(): void }[] = [];
  const write = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        release: () => {
          const bad = items.filter(fail);
          if (bad.length > 0) reject(new Error(`cannot write ${bad.join(', ')}`));
          else resolve(items.map((item) => item.toUpperCase()));
        },
      });
    });
  return { calls, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('groupCommit', () => {
  it('writes a lone item at once, and what comes meanwhile together in order, maxBatch at a time', async () => {
    const { calls, write } = heldWriter();
    const commit = groupCommit(write, { maxBatch: 3 });
    const a = commit('a');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([['a']]);
    const rest = ['b', 'c', 'd', 'e'].map((item) => commit(item));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.release();
    expect(await a).toBe('A');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]?.release();
    await tick();
    expect(calls[2]?.items).toEqual(['e']);
    calls[2]?.release();
    expect(await Promise.all(rest)).toEqual(['B', 'C', 'D', 'E']);
  });

  it('writes each item of a failed batch alone: only the bad one fails its caller', async () => {
    const { calls, write } = heldWriter((item) => item === 'bad');
    const commit = groupCommit(write, { maxBatch: 10 });
    const first = commit('first');
    const others = ['x', 'bad', 'y'].map((item) => commit(item).catch((error: Error) => error.message));
    await tick();
    calls[0]?.release();
    await first;
    await tick();
    calls[1]?.release(); // x, bad, y together: fails
    for (let i = 2; i < 5; i++) {
      await tick();
      calls[i]?.release();
    }
    expect(await Promise.all(others)).toEqual(['X', 'cannot write bad', 'Y']);
    expect(calls.map((c) => c.items)).toEqual([['first'], ['x', 'bad', 'y'], ['x'], ['bad'], ['y']]);
  });

  it('makes callers wait while maxQueued items (by size) wait', async () => {
    const { calls, write } = heldWriter();
    const commit = groupCommit(write, { maxBatch: 100, maxQueued: 4 }, (item) => item.length);
    const running = commit('r');
    await tick();
    const queued = commit('abc');
    let admitted = false;
    const late = commit('de').then((result) => {
      admitted = true;
      return result;
    });
    await tick();
    calls[0]?.release();
    await running;
    await tick();
    // 'abc' is written now; 'de' found 3 of 4 waiting, had to wait, and is queued behind it
    expect(calls[1]?.items).toEqual(['abc']);
    calls[1]?.release();
    expect(await queued).toBe('ABC');
    await tick();
    expect(calls[2]?.items).toEqual(['de']);
    expect(admitted).toBe(false);
    calls[2]?.release();
    expect(await late).toBe('DE');
  });
});
