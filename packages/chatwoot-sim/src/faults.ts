/** An outage: API requests are answered with `status` (and `Retry-After` when given). */
export interface Outage {
  /** @default 503 */
  status?: number;
  /** Seconds sent in `Retry-After`. @default none */
  retryAfter?: number;
  /** How many requests fail; the rest pass. @default every request until {@link Faults.clear} */
  times?: number;
}

/** A hang: API requests are answered only after `ms` (clients time out first). */
export interface Hang {
  ms: number;
  /** @default every request until {@link Faults.clear} */
  times?: number;
}

/** What the fake Chatwoot does wrong on purpose, and how often it did. */
export class Faults {
  private outage: (Outage & { left: number }) | null = null;
  private hang: (Hang & { left: number }) | null = null;
  private attachmentMisses = 0;
  /** API requests answered by the outage. */
  failed = 0;

  /** Starts an outage (replacing any current one). */
  fail(outage: Outage = {}): void {
    this.outage = { ...outage, left: outage.times ?? Number.POSITIVE_INFINITY };
  }

  /** Makes API requests slow (replacing any current hang). */
  delay(hang: Hang): void {
    this.hang = { ...hang, left: hang.times ?? Number.POSITIVE_INFINITY };
  }

  /** The next `times` downloads of attachment files answer 404 (the file is not processed yet). */
  attachmentsNotReady(times: number): void {
    this.attachmentMisses = times;
  }

  /** Ends outages and hangs. */
  clear(): void {
    this.outage = null;
    this.hang = null;
    this.attachmentMisses = 0;
  }

  /** The outage answer for the next API request, if it fails. */
  takeOutage(): { status: number; retryAfter?: number } | null {
    if (!this.outage || this.outage.left <= 0) return null;
    this.outage.left -= 1;
    this.failed += 1;
    const { status = 503, retryAfter } = this.outage;
    return retryAfter === undefined ? { status } : { status, retryAfter };
  }

  /** Milliseconds to hold the next API request. */
  takeDelay(): number {
    if (!this.hang || this.hang.left <= 0) return 0;
    this.hang.left -= 1;
    return this.hang.ms;
  }

  /** True when the next attachment download should miss. */
  takeAttachmentMiss(): boolean {
    if (this.attachmentMisses <= 0) return false;
    this.attachmentMisses -= 1;
    return true;
  }
}
