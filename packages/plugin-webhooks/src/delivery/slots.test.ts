import { describe, expect, it } from 'vitest';
import { requestSlots } from './slots.js';

describe('requestSlots', () => {
  it('keeps each endpoint within its slots and all within the total; a blocked endpoint holds only its own', async () => {
    const slots = requestSlots(3, 2);
    const active = new Map<string, number>();
    let total = 0;
    let maxTotal = 0;
    const maxPer = new Map<string, number>();
    const gates: (() => void)[] = [];
    const run = (endpoint: string, block: boolean) =>
      slots(endpoint, async () => {
        active.set(endpoint, (active.get(endpoint) ?? 0) + 1);
        total += 1;
        maxTotal = Math.max(maxTotal, total);
        maxPer.set(endpoint, Math.max(maxPer.get(endpoint) ?? 0, active.get(endpoint)!));
        if (block) await new Promise<void>((resolve) => gates.push(resolve));
        else await new Promise((resolve) => setImmediate(resolve));
        active.set(endpoint, active.get(endpoint)! - 1);
        total -= 1;
        return endpoint;
      });
    // five requests to a hung endpoint: two in flight, three waiting for its slots, not the total's
    const dead = Array.from({ length: 5 }, () => run('dead', true));
    const healthy = await Promise.all(Array.from({ length: 10 }, () => run('ok', false)));
    expect(healthy).toEqual(Array(10).fill('ok'));
    expect(maxPer.get('dead')).toBe(2);
    expect(maxPer.get('ok')).toBe(1); // the total (3) minus the dead endpoint's two
    expect(maxTotal).toBe(3);
    // the endpoint answers again: its three waiting requests run, still two at a time
    let finished = false;
    const deadDone = Promise.all(dead).finally(() => {
      finished = true;
    });
    while (!finished) {
      for (const open of gates.splice(0)) open();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await deadDone;
    expect(await Promise.all(dead)).toEqual(Array(5).fill('dead'));
    expect(maxPer.get('dead')).toBe(2);
  });
});
