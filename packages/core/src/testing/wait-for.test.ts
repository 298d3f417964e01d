import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves to the first truthy value, treating throws and falsy values as not yet', async () => {
    let calls = 0;
    const value = await waitFor(() => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return calls === 2 ? null : { calls };
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('rethrows the last error of a check that kept throwing', async () => {
    await expect(waitFor(() => expect(1).toBe(2), 30)).rejects.toThrow('expected 1 to be 2');
  });

  it('names what it waited for when the check only returned falsy values', async () => {
    await expect(waitFor(() => false, 30, 'the moon')).rejects.toThrow(
      'timed out after 30 ms waiting for the moon',
    );
  });
});
