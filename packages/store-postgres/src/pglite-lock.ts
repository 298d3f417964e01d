import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { GatewayError } from '@zapgate/core';
import { StorePostgresErrorCodes } from './error-codes.js';

/** How often the holder touches the lock file; a lock from another host untouched for 3× this is stale. */
const touchMs = 10_000;

interface Holder {
  pid: number;
  host: string;
}

/** The lock on an embedded PGlite directory; `release()` on close. */
export interface PgliteLock {
  release(): void;
}

/**
 * Embedded PGlite is single-node: two processes on one data directory would corrupt it (and
 * both would run every session). The first process writes `file` (its pid and host); another
 * process finding it held by a live process is refused with a sentence naming the holder.
 * A lock left by a dead process (same host: its pid is gone; another host: not touched for
 * 30 s) is taken over. The same process may open the directory again (a restart in-process).
 */
export function lockPgliteDirectory(file: string, dataDir: string): PgliteLock {
  const me: Holder = { pid: process.pid, host: hostname() };
  const write = (flag: 'wx' | 'w') => writeFileSync(file, JSON.stringify(me), { flag });
  try {
    write('wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = readHolder(file);
    if (holder && !isMe(holder, me) && isAlive(holder, file)) {
      throw new GatewayError(
        'STORE_POSTGRES_PGLITE_IN_USE',
        `The embedded database in ${dataDir} is in use by process ${holder.pid} on ${holder.host}. ` +
          'Embedded PGlite is single-node: stop that process, give this one another data directory, ' +
          'or run every node on PostgreSQL (DATABASE_URL) to run several nodes.',
        { statusCode: StorePostgresErrorCodes.STORE_POSTGRES_PGLITE_IN_USE },
      );
    }
    write('w');
  }
  const timer = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // the directory went away (a test's temp dir): nothing to keep fresh
    }
  }, touchMs);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      const holder = readHolder(file);
      if (holder && isMe(holder, me)) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    },
  };
}

function readHolder(file: string): Holder | null {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host }
      : null;
  } catch {
    return null;
  }
}

const isMe = (holder: Holder, me: Holder) => holder.pid === me.pid && holder.host === me.host;

function isAlive(holder: Holder, file: string): boolean {
  if (holder.host !== hostname()) {
    try {
      return Date.now() - statSync(file).mtimeMs < 3 * touchMs;
    } catch {
      return false;
    }
  }
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
