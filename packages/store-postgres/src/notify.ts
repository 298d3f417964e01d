import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '@zapgate/core';
import pg from 'pg';

/** Where wake-ups come from: a dedicated `pg` client on Postgres, PGlite's `listen()` embedded. */
export type NotifySource = { kind: 'postgres'; databaseUrl: string } | { kind: 'pglite'; pglite: PGlite };

/**
 * Fans `LISTEN` notifications of one channel out to in-process listeners. Best effort: when
 * the connection drops it reconnects with a delay, and consumers keep polling meanwhile.
 */
export class EventNotifier {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private started = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly source: NotifySource,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.source.kind === 'postgres') void this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Starts listening (PGlite must start before any transaction runs: LISTEN is per session). */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    try {
      if (this.source.kind === 'pglite') {
        this.unlisten = await this.source.pglite.listen(this.channel, () => this.fire());
      } else {
        await this.connect(this.source.databaseUrl);
      }
    } catch (error) {
      if (this.client) this.dropClient(this.client);
      this.started = false;
      this.logger.warn({ err: error }, 'event notifications unavailable; consumers poll');
      this.scheduleRetry();
    }
  }

  private async connect(databaseUrl: string): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'zapgate-listen' });
    client.on('notification', () => this.fire());
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'event listener connection lost; reconnecting');
      this.dropClient(client);
      this.scheduleRetry();
    });
    this.client = client;
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    // a reconnect may have missed notifications: wake everyone once
    this.fire();
  }

  private dropClient(client: pg.Client): void {
    if (this.client === client) this.client = null;
    this.started = false;
    client.end().catch(() => {});
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry || this.source.kind !== 'postgres') return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.listeners.size > 0) void this.start();
    }, 1000);
    this.retry.unref();
  }

  /** Wakes this process's listeners now (after a local change, without waiting for NOTIFY). */
  fire(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'events listener threw');
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.listeners.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.().catch(() => {});
  }
}
