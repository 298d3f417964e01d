/** Limits of {@link groupCommit}. */
export interface GroupCommitLimits {
  /** Items written by one call at most, counted by their size (the first always goes). */
  maxBatch: number;
  /** Items waiting at most, counted by their size; past it a write waits for room (back-pressure). @default unbounded */
  maxQueued?: number;
}

interface Queued<I, O> {
  item: I;
  size: number;
  resolve(result: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: one `writeBatch` call at a time, and what is handed over while one runs is
 * written together by the next, in the order it came. An idle writer starts at once (no wait
 * for company), so a lone item costs what a direct write does; under load, many items share
 * one round trip and one commit.
 *
 * `writeBatch(items)` returns one result per item, in order. When it throws, each item of that
 * batch is written again alone, so a bad item fails only its own caller.
 *
 * @example
 * const insert = groupCommit((rows: Row[]) => db.insertMany(rows), { maxBatch: 100 });
 * await Promise.all([insert(a), insert(b)]); // one statement when b comes while a is written
 */
export function groupCommit<I, O>(
  writeBatch: (items: I[]) => Promise<O[]>,
  limits: GroupCommitLimits,
  sizeOf: (item: I) => number = () => 1,
): (item: I) => Promise<O> {
  const queue: Queued<I, O>[] = [];
  const room: (() => void)[] = [];
  let queued = 0;
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    while (queue.length > 0) {
      const batch: Queued<I, O>[] = [];
      let size = 0;
      while (
        queue.length > 0 &&
        (batch.length === 0 || size + (queue[0] as Queued<I, O>).size <= limits.maxBatch)
      ) {
        const next = queue.shift() as Queued<I, O>;
        batch.push(next);
        size += next.size;
      }
      queued -= size;
      for (const wake of room.splice(0)) wake();
      try {
        const results = await writeBatch(batch.map((q) => q.item));
        for (const [i, q] of batch.entries()) q.resolve(results[i] as O);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const q of batch) {
          await writeBatch([q.item]).then(([result]) => q.resolve(result as O), q.reject);
        }
      }
    }
    running = false;
  };

  return async (item) => {
    const size = sizeOf(item);
    while (limits.maxQueued !== undefined && queued > 0 && queued + size > limits.maxQueued)
      await new Promise<void>((wake) => room.push(wake));
    return new Promise<O>((resolve, reject) => {
      queue.push({ item, size, resolve, reject });
      queued += size;
      if (!running) void drain();
    });
  };
}
