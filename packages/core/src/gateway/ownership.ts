import type { SessionStatus } from '../contracts/session.js';
import type { Logger } from '../logger.js';
import type { HeldLease, LeaseOwner, SessionLeaseRepo } from '../ports/leases.js';
import type { Store } from '../ports/store.js';
import { sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';
import { recoverClaimed } from './recovery.js';

/** Statuses of sessions that should run somewhere: a node without them claims them. */
export const runningStatuses: readonly SessionStatus[] = ['connected', 'connecting'];
/** Statuses that count towards a node's load (a session showing a QR holds its node too). */
const loadStatuses: readonly SessionStatus[] = ['connected', 'connecting', 'qr'];

/** What ownership asks of the session manager. */
export interface OwnedSessions {
  /** Connects sessions this node just claimed (bounded concurrency, jitter). */
  adopt(leases: readonly HeldLease[]): Promise<void>;
  /** The leases this node runs sessions under. */
  held(): HeldLease[];
  /** Of those, sessions that are open (not pairing, not reconnecting): the ones a handover may move. */
  movable(): HeldLease[];
  /**
   * Drops a session whose lease another node took (no status write: it is not ours); with
   * `epoch`, only if it still runs under that lease.
   */
  lost(sessionId: string, epoch?: number): Promise<void>;
  /** Closes a session's socket after its in-flight sends and frees its lease (handover). */
  handOver(sessionId: string): Promise<void>;
}

/** This node's membership: heartbeat, lease renewal, placement. */
export interface Ownership {
  readonly nodeId: string;
  /**
   * Joins, claims this node's fair share of the sessions without a live owner, starts beating;
   * resolves to the connecting of those sessions (bounded concurrency) once claimed.
   */
  start(): Promise<{ adopted: Promise<void> }>;
  /** Stops beating and frees every lease (after the sockets are closed). */
  stop(): Promise<void>;
  /** Claims one session for this node (an API `connect` here); `null` when another node holds it. */
  claim(sessionId: string): Promise<HeldLease | null>;
  release(lease: HeldLease): Promise<void>;
  /** Who runs a session now (see {@link SessionLeaseRepo.owner}). */
  owner(sessionId: string): Promise<LeaseOwner | null>;
}

interface Parts {
  store: Store;
  leases: SessionLeaseRepo;
  node: { id: string; url: string | null };
  tuning: GatewayTuning['cluster'];
  logger: Logger;
  sessions: OwnedSessions;
}

/**
 * Several gateway processes on one database, no other coordinator. Every `heartbeatMs` a node
 * renews all its leases in one statement (a lease missing from the answer was taken over: the
 * node drops that socket), then places: with `share = ceil(running sessions / live nodes)`,
 * a node under its share claims sessions without a live owner (a dead or stopped node's, or
 * never placed) and one over it hands `handoverPerBeat` open sessions over, so a
 * joining node fills up gradually. A node that could not renew for a lease time drops every socket itself. A claim bumps the lease's fencing epoch; what the previous owner left
 * (pending sends, a `connected` status without a socket) is settled in the claim's recovery.
 */
export function createOwnership({ store, leases, node, tuning, logger, sessions }: Parts): Ownership {
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;
  /** When the last successful renewal was sent (leases run from then at the latest). */
  let renewedAt = Date.now();
  /** Another node was live at the last census (only then can a session be taken over). */
  let othersLive = false;

  const claimAndRecover = async (ids: readonly string[]): Promise<HeldLease[]> => {
    const claimed = await leases.claim(node.id, ids, tuning.leaseMs);
    if (claimed.length > 0) await recoverClaimed(store, claimed, logger);
    return claimed;
  };

  /** One heartbeat; resolves to the connecting of the sessions it claimed. */
  const beat = async (): Promise<{ adopting: Promise<void> }> => {
    // leases claimed while the heartbeat is on its way are not in its answer: only these count
    const before = sessions.held();
    const sentAt = Date.now();
    const renewed = new Set(
      (await leases.heartbeat(node, tuning.leaseMs)).map((l) => `${l.sessionId}:${l.epoch}`),
    );
    renewedAt = sentAt;
    for (const lease of before) {
      if (!renewed.has(`${lease.sessionId}:${lease.epoch}`)) {
        logger.warn({ sessionId: lease.sessionId, epoch: lease.epoch }, 'lease lost to another node');
        await sessions.lost(lease.sessionId, lease.epoch);
      }
    }
    if (stopped) return { adopting: Promise.resolve() };
    const { liveNodes, wanted, mine } = await leases.census(node.id, loadStatuses, tuning.leaseMs);
    othersLive = liveNodes > 1;
    const share = Math.ceil(wanted / Math.max(1, liveNodes));
    if (mine < share) {
      const orphans = await leases.orphans(runningStatuses, share - mine);
      const claimed = orphans.length > 0 ? await claimAndRecover(orphans) : [];
      if (claimed.length > 0) {
        logger.info({ claimed: claimed.length, share, liveNodes }, 'claimed sessions without a live owner');
        return { adopting: sessions.adopt(claimed) };
      }
    } else if (mine > share && liveNodes > 1 && tuning.handoverPerBeat > 0) {
      // only open sessions move (one still pairing keeps its QR where the user is looking at it)
      const over = sessions.movable().slice(0, Math.min(mine - share, tuning.handoverPerBeat));
      for (const lease of over) {
        logger.info({ sessionId: lease.sessionId, share, mine }, 'handing a session over (over fair share)');
        // not awaited: its in-flight sends may take a while, and the heartbeat must go on
        void sessions
          .handOver(lease.sessionId)
          .catch((error) => logger.error({ err: error, sessionId: lease.sessionId }, 'handover failed'));
      }
    }
    return { adopting: Promise.resolve() };
  };

  // cut off from the database (or stuck) for a lease time: the sessions may be another node's
  // by now, so this node drops them itself rather than keep a second socket
  const watchdog = () => {
    // alone (the last census saw no other live node, e.g. embedded PGlite): nobody can take a
    // session over, and a database slowed down by this node's own load must not drop them all
    if (!othersLive || Date.now() - renewedAt <= tuning.leaseMs) return;
    const held = sessions.held();
    if (held.length === 0) return;
    logger.error({ sessions: held.length }, 'leases not renewed for a lease time: dropping every session');
    for (const lease of held) void sessions.lost(lease.sessionId);
  };
  let watchdogTimer: NodeJS.Timeout | null = null;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = beat()
        .then(
          ({ adopting }) => void adopting.catch((error) => logger.error({ err: error }, 'adopting failed')),
        )
        .catch((error) => logger.error({ err: error }, 'heartbeat failed'))
        .finally(schedule);
    }, tuning.heartbeatMs);
    timer.unref?.();
  };

  return {
    nodeId: node.id,
    async start() {
      await leases.join(node);
      // leases held under this node's id by a process before this one (a restart with the same
      // id after a crash): nothing runs them, yet a heartbeat would renew them forever. Take
      // them over now — the claim bumps their epoch, fencing the old process should it live on.
      const leftovers = await leases.heartbeat(node, tuning.leaseMs);
      const taken = leftovers.length > 0 ? await claimAndRecover(leftovers.map((l) => l.sessionId)) : [];
      if (taken.length > 0)
        logger.info({ sessions: taken.length }, 'took over the sessions of this node before a restart');
      const resumed = taken.length > 0 ? sessions.adopt(taken) : Promise.resolve();
      const { adopting } = await beat();
      schedule();
      watchdogTimer = setInterval(watchdog, tuning.heartbeatMs);
      watchdogTimer.unref?.();
      return { adopted: Promise.all([resumed, adopting]).then(() => undefined) };
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (watchdogTimer) clearInterval(watchdogTimer);
      // a heartbeat stuck on an unreachable database does not hold the stop up
      await Promise.race([beating, sleep(tuning.leaseMs)]);
      await leases.leave(node.id);
    },
    async claim(sessionId) {
      const [lease] = await claimAndRecover([sessionId]);
      return lease ?? null;
    },
    release: (lease) => leases.release(node.id, lease.sessionId, lease.epoch),
    owner: (sessionId) => leases.owner(sessionId, tuning.leaseMs),
  };
}
