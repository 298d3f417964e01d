import type { SqlClient } from '@zapgate/core';
import { type SubscriptionRecord, subscriptionFromRow, subscriptionWrites } from './subscriptions.js';

const table = '"webhookSubscriptions"';

/** The stored subscriptions' version: changes with every insert, update and delete. */
async function versionOf(sql: SqlClient): Promise<string> {
  const rows = await sql.query(`SELECT count(*) AS "n", max("updatedAt") AS "at" FROM ${table}`);
  const row = rows[0] ?? {};
  const at = row.at instanceof Date ? row.at.toISOString() : String(row.at ?? '');
  return `${String(row.n ?? 0)}/${at}`;
}

interface Snapshot {
  /** The local write generation it was loaded at (see `subscriptionWrites`). */
  writes: number;
  version: string;
  checkedAt: number;
  global: SubscriptionRecord[];
  bySession: Map<string, SubscriptionRecord[]>;
}

/**
 * The enabled subscriptions, kept in memory for the fan-out (which asked the database for every
 * event, with none configured). Writes made through this process's repository invalidate it at
 * once; writes of other processes (several nodes on one database) are noticed by a version
 * check — the row count and the latest `updatedAt`, one small read — at most every `maxAgeMs`,
 * and only a changed version loads the subscriptions again.
 */
export class SubscriptionCache {
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;

  constructor(
    /** How long a snapshot is used before its version is checked again (0: every call). */
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The enabled subscriptions an event of `sessionId` may go to: the session's and the global ones. */
  async enabledFor(sql: SqlClient, sessionId: string | null): Promise<SubscriptionRecord[]> {
    const snapshot = await this.current(sql);
    const own = sessionId ? (snapshot.bySession.get(sessionId) ?? []) : [];
    return own.length === 0 ? snapshot.global : [...own, ...snapshot.global];
  }

  private async current(sql: SqlClient): Promise<Snapshot> {
    const now = this.now();
    const held = this.snapshot;
    if (held && held.writes === subscriptionWrites() && now - held.checkedAt < this.maxAgeMs) return held;
    this.loading ??= this.refresh(sql, held).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async refresh(sql: SqlClient, held: Snapshot | null): Promise<Snapshot> {
    const writes = subscriptionWrites();
    const checkedAt = this.now();
    const version = await versionOf(sql);
    if (held && held.writes === writes && held.version === version) {
      held.checkedAt = checkedAt;
      return held;
    }
    const rows = await sql.query(`SELECT * FROM ${table} WHERE "enabled"`);
    const global: SubscriptionRecord[] = [];
    const bySession = new Map<string, SubscriptionRecord[]>();
    for (const record of rows.map(subscriptionFromRow)) {
      if (record.sessionId === null) global.push(record);
      else bySession.set(record.sessionId, [...(bySession.get(record.sessionId) ?? []), record]);
    }
    const snapshot = { writes, version, checkedAt, global, bySession };
    // a write during the load bumped the generation: this snapshot is used once, then reloaded
    this.snapshot = snapshot;
    return snapshot;
  }
}
