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
  /**
   * Sessions this node just claimed to run, before their recovery: from now on they are this
   * node's and moving (a request for one is told to retry shortly, not that it is disconnected).
   */
  claimed(leases: readonly HeldLease[]): void;
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
  /**
   * Milliseconds since this node last renewed its leases (its heartbeat answered), `null`
   * before it joined or after it stopped. Past the lease time its sessions may be another's.
   */
  renewalAgeMs(): number | null;
  /**
   * Its leases went unrenewed for a lease time while other nodes were live: they may be taking
   * its sessions over (the watchdog drops them). A node alone never lapses.
   */
  lapsed(): boolean;
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
 * node drops that socket) — on a connection of its own where the store has one, and never
 * behind anything else, so a pool exhausted by pairing cannot let its leases expire. Then it
 * places, in the background (one placement at a time): with `share = ceil(running sessions /
 * live nodes)`, a node under its share claims sessions without a live owner (a dead or stopped
 * node's, or never placed) and one over it hands `handoverPerBeat` open sessions over, so a
 * joining node fills up gradually. A node that could not renew for a lease time drops every
 * socket itself. A claim bumps the lease's fencing epoch; what the previous owner left
 * (pending sends, a `connected` status without a socket) is settled in the claim's recovery.
 */
export function createOwnership({ store, leases, node, tuning, logger, sessions }: Parts): Ownership {
  let timer: NodeJS.Timeout | null = null;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;
  let joined = false;
  /** When the last successful renewal was sent (leases run from then at the latest). */
  let renewedAt = Date.now();
  /** Another node was live at the last census (only then can a session be taken over). */
  let othersLive = false;
  /** Sessions this node is handing over now (their leases still count in a census). */
  const handingOver = new Set<string>();
  /** Sessions whose claim is on its way (their leases may be renewed before they are held). */
  const claiming = new Set<string>();
  /** Leases the last renewal kept under this node's id although it runs no socket for them. */
  let strays = new Set<string>();

  /** `adopting`: the sessions will be adopted (placement, a restart's leftovers), not opened by a request. */
  const claimAndRecover = async (ids: readonly string[], adopting = true): Promise<HeldLease[]> => {
    for (const id of ids) claiming.add(id);
    try {
      const claimed = await leases.claim(node.id, ids, tuning.leaseMs);
      if (claimed.length === 0) return claimed;
      if (adopting) sessions.claimed(claimed);
      await recoverClaimed(store, claimed, logger);
      return claimed;
    } finally {
      for (const id of ids) claiming.delete(id);
    }
  };
  const key = (lease: HeldLease) => `${lease.sessionId}:${lease.epoch}`;

  /**
   * Renews every lease of this node; drops a session whose lease is missing from the answer,
   * and frees a lease it renewed but runs no socket for (see {@link freeStrays}). Nothing else
   * waits in it: placement below may stall on a busy pool, renewal must not.
   */
  const renew = async (): Promise<void> => {
    // leases claimed while the heartbeat is on its way are not in its answer: only these count
    const before = sessions.held();
    const sentAt = Date.now();
    const answer = await leases.heartbeat(node, tuning.leaseMs);
    renewedAt = sentAt;
    const renewed = new Set(answer.map(key));
    for (const lease of before) {
      // a session being handed over frees its lease itself (its socket is closing anyway)
      if (!renewed.has(key(lease)) && !handingOver.has(lease.sessionId)) {
        logger.warn({ sessionId: lease.sessionId, epoch: lease.epoch }, 'lease lost to another node');
        void sessions
          .lost(lease.sessionId, lease.epoch)
          .catch((error) => logger.error({ err: error, sessionId: lease.sessionId }, 'dropping failed'));
      }
    }
    freeStrays(answer, before);
  };

  /**
   * A lease the database keeps under this node's id while the node runs no socket for it: the
   * node dropped the session (its renewals stalled for a lease time, or a write found the lease
   * gone) and the renewals went on. Nobody would run it again — the owner looks live to the
   * others, and this node does not hold it — so it is freed: the next placement gives it to a
   * node, this one included. Only when two renewals in a row found it so, since a claim on its
   * way may be in the answer before its session holds it.
   */
  const freeStrays = (answer: readonly HeldLease[], before: readonly HeldLease[]) => {
    const running = new Set([...before, ...sessions.held()].map(key));
    const seen = new Set<string>();
    for (const lease of answer) {
      if (running.has(key(lease)) || claiming.has(lease.sessionId)) continue;
      seen.add(key(lease));
      if (!strays.has(key(lease))) continue;
      logger.warn(
        { sessionId: lease.sessionId, epoch: lease.epoch },
        'freeing a lease this node runs no socket for',
      );
      void leases
        .release(node.id, lease.sessionId, lease.epoch)
        .catch((error) => logger.error({ err: error, sessionId: lease.sessionId }, 'could not free a lease'));
    }
    strays = seen;
  };

  /** Fair share: claims sessions without a live owner, or hands some over; resolves to the connecting of those claimed. */
  const place = async (): Promise<{ adopting: Promise<void> }> => {
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
    } else if (mine - handingOver.size > share && liveNodes > 1 && tuning.handoverPerBeat > 0) {
      // only open sessions move (one still pairing keeps its QR where the user is looking at it);
      // a handover still under way counts as done, or a node would hand over more than its excess
      const over = sessions
        .movable()
        .filter((lease) => !handingOver.has(lease.sessionId))
        .slice(0, Math.min(mine - handingOver.size - share, tuning.handoverPerBeat));
      for (const lease of over) {
        logger.info({ sessionId: lease.sessionId, share, mine }, 'handing a session over (over fair share)');
        handingOver.add(lease.sessionId);
        // not awaited: its in-flight sends may take a while, and the heartbeat must go on
        void sessions
          .handOver(lease.sessionId)
          .catch((error) => logger.error({ err: error, sessionId: lease.sessionId }, 'handover failed'))
          .finally(() => handingOver.delete(lease.sessionId));
      }
    }
    return { adopting: Promise.resolve() };
  };
  /** The placement under way, if any (a heartbeat does not start a second one). */
  let placing: Promise<void> | null = null;
  const placeInBackground = () => {
    if (placing || stopped) return;
    placing = place()
      .then(({ adopting }) => void adopting.catch((error) => logger.error({ err: error }, 'adopting failed')))
      .catch((error) => logger.error({ err: error }, 'placing sessions failed'))
      .finally(() => {
        placing = null;
      });
  };

  // cut off from the database (or stuck) for a lease time: the sessions may be another node's
  // by now, so this node drops them itself rather than keep a second socket
  // alone (the last census saw no other live node, e.g. embedded PGlite): nobody can take a
  // session over, and a database slowed down by this node's own load must not drop them all
  const lapsed = () => joined && othersLive && Date.now() - renewedAt > tuning.leaseMs;
  const watchdog = () => {
    if (!lapsed()) return;
    const held = sessions.held();
    if (held.length === 0) return;
    logger.error({ sessions: held.length }, 'leases not renewed for a lease time: dropping every session');
    for (const lease of held) void sessions.lost(lease.sessionId);
  };
  let watchdogTimer: NodeJS.Timeout | null = null;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = renew()
        .then(placeInBackground)
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
      await renew();
      const { adopting } = await place();
      joined = true;
      schedule();
      watchdogTimer = setInterval(watchdog, tuning.heartbeatMs);
      watchdogTimer.unref?.();
      return { adopted: Promise.all([resumed, adopting]).then(() => undefined) };
    },
    async stop() {
      stopped = true;
      joined = false;
      if (timer) clearTimeout(timer);
      if (watchdogTimer) clearInterval(watchdogTimer);
      // a heartbeat stuck on an unreachable database does not hold the stop up
      await Promise.race([Promise.all([beating, placing]), sleep(tuning.leaseMs)]);
      await leases.leave(node.id);
    },
    async claim(sessionId) {
      const [lease] = await claimAndRecover([sessionId], false);
      return lease ?? null;
    },
    release: (lease) => leases.release(node.id, lease.sessionId, lease.epoch),
    owner: (sessionId) => leases.owner(sessionId, tuning.leaseMs),
    renewalAgeMs: () => (joined ? Date.now() - renewedAt : null),
    lapsed,
  };
}
