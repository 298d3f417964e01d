import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Ownership } from './ownership.js';
import type { Runtime } from './session-runtime.js';

/** What the host tells the session manager when it runs sessions under leases. */
export interface LeaseHooks {
  /** Resolves when a session's queued sends have settled (before a handover). */
  sendsSettled: (sessionId: string) => Promise<void>;
  /** Told each time a session is dropped because its lease went to another node. */
  leaseLost?: () => void;
}

/** The session manager's side of ownership: claiming, checking and freeing a session's lease. */
export class SessionLeases {
  /** Set when the store has leases (several nodes may share it): sockets run under a lease. */
  ownership: Ownership | null = null;
  /** Resolves when a session's queued sends have settled (before a handover). */
  sendsSettled: (sessionId: string) => Promise<void> = async () => {};
  /** Told each time a session is dropped because its lease went to another node. */
  leaseLost: () => void = () => {};

  constructor(private readonly logger: Logger) {}

  use(ownership: Ownership, hooks: LeaseHooks): void {
    this.ownership = ownership;
    this.sendsSettled = hooks.sendsSettled;
    if (hooks.leaseLost) this.leaseLost = hooks.leaseLost;
  }

  /** This node runs the session: under a lease (several nodes), else with a socket or a reconnect pending. */
  running(runtime: Runtime): boolean {
    return this.ownership ? !!runtime.lease : !!(runtime.connection || runtime.reconnectTimer);
  }

  /** Without a socket here: claim the lease, or say which node runs the session. */
  async ensure(runtime: Runtime, sessionId: string): Promise<void> {
    if (!this.ownership || runtime.lease) return;
    const lease = await this.ownership.claim(sessionId);
    if (!lease) throw ownedElsewhere(sessionId);
    runtime.lease = lease;
  }

  /** Changing a session another live node runs is that node's job (the host forwards it there). */
  async notElsewhere(runtime: Runtime, sessionId: string): Promise<void> {
    if (!this.ownership || runtime.lease) return;
    const owner = await this.ownership.owner(sessionId);
    if (owner?.live && owner.nodeId !== this.ownership.nodeId) throw ownedElsewhere(sessionId, owner.nodeId);
  }

  async release(runtime: Runtime): Promise<void> {
    const lease = runtime.lease;
    if (lease && this.ownership) {
      runtime.lease = null;
      await this.ownership
        .release(lease)
        .catch((error) =>
          this.logger.warn({ err: error, sessionId: lease.sessionId }, 'could not free a lease'),
        );
    }
    // a session handed over stays "moving" here until its lease is free for another node
    runtime.moving = false;
  }
}

const ownedElsewhere = (sessionId: string, nodeId?: string) =>
  new GatewayError(
    'SESSION_OWNED_ELSEWHERE',
    `Session ${sessionId} runs on ${nodeId ? `node ${nodeId}` : 'another node'}; send this request to that node`,
    { details: { nodeId: nodeId ?? null } },
  );
