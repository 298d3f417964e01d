import { encodeCursor, type PageOf } from '@zapgate/core';

/**
 * A keyset page from rows fetched with `limit + 1`: the first `limit` as views, and a cursor
 * (the sort key of the last one) when there were more.
 */
export function keysetPage<R, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
  keyOf: (row: R) => unknown[],
): PageOf<V> {
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  return { items: page.map(view), nextCursor: last ? encodeCursor(keyOf(last)) : null };
}
