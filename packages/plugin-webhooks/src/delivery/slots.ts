import pLimit, { type LimitFunction } from 'p-limit';

/** Runs a request within its endpoint's slots and the process's. */
export type RequestSlots = <T>(endpoint: string, request: () => Promise<T>) => Promise<T>;

/**
 * Request slots: at most `perEndpoint` requests in flight to one endpoint and `total` in all.
 * A request waits for its endpoint's slot before it takes one of the total, so the waiting
 * requests of a slow endpoint never hold the slots other endpoints need.
 */
export function requestSlots(total: number, perEndpoint: number): RequestSlots {
  const all = pLimit(total);
  const endpoints = new Map<string, LimitFunction>();
  return (endpoint, request) => {
    let own = endpoints.get(endpoint);
    if (!own) {
      own = pLimit(perEndpoint);
      endpoints.set(endpoint, own);
    }
    const limit = own;
    return limit(() => all(request)).finally(() => {
      if (limit.activeCount === 0 && limit.pendingCount === 0 && endpoints.get(endpoint) === limit)
        endpoints.delete(endpoint);
    });
  };
}
