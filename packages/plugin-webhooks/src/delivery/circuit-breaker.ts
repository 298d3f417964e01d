/** Options of a {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

interface EndpointState {
  failures: number;
  openedAt: number | null;
  probing: boolean;
}

/**
 * One circuit per endpoint, in this process: closed until `failureThreshold` consecutive
 * failures, then open (no requests) for `cooldownMs`, then half-open (one probe: success
 * closes it, failure opens it again).
 */
export class CircuitBreaker {
  private readonly states = new Map<string, EndpointState>();

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Requests `endpoint` may start now: `Infinity` closed, 1 half-open, 0 open or probing. */
  capacity(endpoint: string): number {
    const state = this.states.get(endpoint);
    if (!state || state.openedAt === null) return Number.POSITIVE_INFINITY;
    if (state.probing || this.now() - state.openedAt < this.options.cooldownMs) return 0;
    return 1;
  }

  /** Endpoints that may not take as many requests as they like right now. */
  limited(): string[] {
    return [...this.states.keys()].filter((endpoint) => this.capacity(endpoint) !== Number.POSITIVE_INFINITY);
  }

  /** Called when a request starts; marks the probe of a half-open circuit. */
  started(endpoint: string): void {
    const state = this.states.get(endpoint);
    if (state && state.openedAt !== null) state.probing = true;
  }

  succeeded(endpoint: string): void {
    this.states.delete(endpoint);
  }

  failed(endpoint: string): void {
    const state = this.states.get(endpoint) ?? { failures: 0, openedAt: null, probing: false };
    state.failures += 1;
    if (state.openedAt !== null || state.failures >= this.options.failureThreshold) {
      state.openedAt = this.now();
    }
    state.probing = false;
    this.states.set(endpoint, state);
  }

  /** Forgets a request that ended without telling anything about the endpoint (e.g. shutdown). */
  abandoned(endpoint: string): void {
    const state = this.states.get(endpoint);
    if (state) state.probing = false;
  }

  isOpen(endpoint: string): boolean {
    return this.states.get(endpoint)?.openedAt != null;
  }
}
