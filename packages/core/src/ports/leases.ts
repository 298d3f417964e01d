/** A gateway process sharing the store with others, as its heartbeat row records it. */
export interface NodeInfo {
  /** Stable per process slot (`ZAPGATE_NODE_ID`); a restarted node with the same id takes its leases back at once. */
  id: string;
  /** Where other nodes reach it (forwarding), `null` when it accepts none. */
  url: string | null;
  startedAt: string;
  heartbeatAt: string;
  /** Set by a graceful stop; `null` while it runs (or after a crash). */
  stoppedAt: string | null;
  /** Its heartbeat is younger than the lease time (and it did not stop). */
  live: boolean;
  /** Sessions whose lease it holds now. */
  sessions: number;
}

/** A session's lease as a node holds it. */
export interface HeldLease {
  sessionId: string;
  /** The fencing token: grows by one on every claim, never reused. */
  epoch: number;
}

/** Who runs a session's socket. */
export interface LeaseOwner {
  sessionId: string;
  nodeId: string;
  epoch: number;
  /** The owner's URL (from its heartbeat row), for forwarding. */
  url: string | null;
  /** The lease is unexpired and the owner's heartbeat is recent. */
  live: boolean;
}

/**
 * Session ownership across gateway processes on one database: a lease row per session (owner
 * node, expiry, fencing epoch), timed by the database clock. Absent on stores that cannot be
 * shared between processes (the in-memory store): the gateway then owns every session.
 */
export interface SessionLeaseRepo {
  /** Records a node's start (heartbeat now, not stopped). */
  join(node: { id: string; url: string | null }): Promise<void>;
  /**
   * Records this node's heartbeat and renews every lease it holds, in one statement each;
   * returns the leases it still holds (a lease taken over by another node is missing).
   */
  heartbeat(node: { id: string; url: string | null }, leaseMs: number): Promise<HeldLease[]>;
  /**
   * Takes the leases of these sessions that are free, expired or held by `nodeId` itself
   * (a restarted node), bumping each one's epoch; returns those taken.
   */
  claim(nodeId: string, sessionIds: readonly string[], leaseMs: number): Promise<HeldLease[]>;
  /**
   * Sessions in one of `statuses` whose lease is free or expired, oldest first, at most `limit`.
   */
  orphans(statuses: readonly string[], limit: number): Promise<string[]>;
  /**
   * What placement needs in one read: live nodes, sessions in one of `statuses` (those that
   * should run somewhere) and how many of them `nodeId` holds.
   */
  census(
    nodeId: string,
    statuses: readonly string[],
    leaseMs: number,
  ): Promise<{ liveNodes: number; wanted: number; mine: number }>;
  /** Frees a lease if `nodeId` still holds it at `epoch`. */
  release(nodeId: string, sessionId: string, epoch: number): Promise<void>;
  /** Frees every lease of a node and marks it stopped (graceful stop). */
  leave(nodeId: string): Promise<void>;
  /**
   * Throws `SESSION_LEASE_LOST` unless every session's lease is still at its epoch. Inside a
   * transaction it also holds the lease rows (shared) until commit, so a takeover waits for the
   * write and every later write with an old epoch fails.
   */
  check(leases: readonly HeldLease[]): Promise<void>;
  /** The owner of a session's lease, or `null` when nobody ever held it or it was freed. */
  owner(sessionId: string, leaseMs: number): Promise<LeaseOwner | null>;
  /** {@link owner} of many sessions in one read: those whose lease someone holds. */
  owners(sessionIds: readonly string[], leaseMs: number): Promise<LeaseOwner[]>;
  /** Every node seen within `forgetAfterMs`, with the sessions each holds now. */
  nodes(leaseMs: number, forgetAfterMs: number): Promise<NodeInfo[]>;
}
