import type { Message, NewMessage } from '../../contracts/message.js';
import type { SendMessageBody } from '../../contracts/outbound.js';
import type { Logger } from '../../logger.js';
import type { Connection } from '../../ports/connector.js';
import type { Store } from '../../ports/store.js';
import type { SendOptions } from '../api.js';
import type { MessageMetrics } from '../gateway-metrics.js';
import { groupCommit } from '../group-commit.js';
import type { HookRunner } from '../hooks.js';
import type { MediaFetcher } from '../media.js';
import type { GatewayTuning } from '../options.js';
import type { SessionAccess } from '../session-access.js';
import type { Dispatcher } from './dispatch.js';
import { earlierSend, requestHash } from './idempotency.js';
import { prepareSend } from './prepare.js';
import { createRecipientCheck } from './recipient-check.js';

interface Deps {
  store: Store;
  tuning: GatewayTuning;
  logger: Logger;
  fetchMedia: MediaFetcher;
  access: SessionAccess;
  hooks: HookRunner;
  counters: Pick<MessageMetrics, 'sent' | 'sendFailures'>;
  /** Where stored sends go; the gateway keeps it to wait for in-flight sends before a handover. */
  dispatcher: Dispatcher;
}

/** Sends one message; see {@link createSendPipeline}. */
export type SendFn = (sessionId: string, body: SendMessageBody, options?: SendOptions) => Promise<Message>;

/**
 * The send path, top to bottom: request (a retry with the same idempotency key and request
 * returns the first message; the key with another request is refused) → `beforeSend` hooks
 * (may change the body or refuse the send) → a place in the session's bounded queue (429
 * `SEND_QUEUE_FULL` when full) → prepare (recipient, media, quoted) → store as `pending` → dispatch →
 * status (`sent` with `message.sent`, or `failed` with `message.status`).
 */
export function createSendPipeline(deps: Deps): SendFn {
  const { store, access } = deps;
  const { dispatcher } = deps;
  const prepareDeps = { ...deps, recipients: createRecipientCheck(store, deps.logger) };
  // concurrent sends (of any sessions) are stored in one multi-row INSERT ({@link groupCommit});
  // one the table already holds (its idempotency key or waid) is stored alone, to find it
  const insert = groupCommit(
    async (messages: (NewMessage & { id: string })[]) => {
      const inserted = new Map((await store.messages.insertMany(messages)).map((m) => [m.id, m]));
      return Promise.all(
        messages.map(async (m) => {
          const message = inserted.get(m.id);
          return message ? { message, inserted: true } : store.messages.insert(m);
        }),
      );
    },
    { maxBatch: deps.tuning.send.maxBatch },
  );
  return async (sessionId, body, options = {}) => {
    // an overloaded session refuses before any work: turning a flood away must cost next to nothing
    dispatcher.assertRoom(sessionId);
    // a session whose socket is open here needs no read; else read once: the row says whether
    // the session exists and whether it is connected (or on its way)
    let session = access.openConnection(sessionId) ? undefined : await access.requireSession(sessionId);
    const key = options.idempotencyKey;
    const hash = key ? requestHash(body, options.upload) : undefined;
    if (key && hash) {
      const earlier = await earlierSend(store, sessionId, key, hash);
      if (earlier) return earlier;
    }
    const hooked = await deps.hooks.beforeSend(sessionId, body, options.origin ?? 'api');
    // the socket may have closed or begun a handover during the hooks: then the row decides
    if (!session && !access.openConnection(sessionId)) session = await access.requireSession(sessionId);
    const connection = session
      ? access.connectionOf(session)
      : (access.openConnection(sessionId) as Connection);
    // a place in the session's queue in the same tick as its connection (429 with Retry-After
    // when full): a handover or a stop that begins later waits for this send to go out
    const slot = dispatcher.reserve(sessionId);
    try {
      const prepared = await prepareSend(prepareDeps, connection, sessionId, hooked, options);
      const stored = await insert({
        ...prepared.message,
        id: crypto.randomUUID(),
        ...(hash ? { requestHash: hash } : {}),
      });
      if (!stored.inserted) {
        slot.release();
        // a concurrent request with the same key won: the same request gets its message
        return key && hash
          ? ((await earlierSend(store, sessionId, key, hash)) ?? stored.message)
          : stored.message;
      }
      slot.dispatch(prepared, stored.message);
      return stored.message;
    } catch (error) {
      slot.release();
      throw error;
    }
  };
}
