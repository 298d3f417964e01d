import { randomUUID } from 'node:crypto';
import type { EventType, GatewayEvent, StoredEvent } from '../contracts/events.js';
import type { Message } from '../contracts/message.js';
import { GatewayError } from '../errors.js';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway/create-gateway.js';
import type { RequestAuth } from '../plugin/types.js';
import type { Connector, InboundMessage } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import {
  type FakeAccount,
  type FakeConnector,
  type FakeConnectorOptions,
  type FakeSession,
  fakeConnector,
} from './fake-connector.js';
import { createMemoryStore } from './memory/store.js';
import { waitFor } from './wait-for.js';

/** Kernel delays small enough for tests (reconnects, boot stagger, event polling and retries). */
export const testTuning = {
  reconnect: { minDelayMs: 5, maxDelayMs: 20 },
  boot: { staggerMs: 0, settleTimeoutMs: 2000 },
  events: { pollIntervalMs: 10, leaseMs: 1000, retryMinMs: 5, retryMaxMs: 20 },
  jobs: { pollIntervalMs: 20 },
} satisfies GatewayOptions['tuning'];

/** Options of {@link testGateway}: any gateway option, plus the fake connector's. */
export interface TestGatewayOptions extends Partial<GatewayOptions> {
  /**
   * The store. Plugins with tables or jobs need SQL: pass `postgresStore({ dataDir: 'memory://' })`
   * (embedded PGlite, from `@zapgate/store-postgres`). @default an in-memory store
   */
  store?: Store;
  /** The WhatsApp connector (a wrapper around `fake`, say). @default the fake connector */
  connector?: Connector;
  /** Options of the fake connector (e.g. `autoOpen`, `onWhatsApp`). @default {} */
  fake?: FakeConnectorOptions;
  /** Close the store on `stop()`. @default true */
  closeStore?: boolean;
}

/** What a route call answered: its status and body (a `GatewayError` as its JSON body). */
export interface RouteCallReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: each route has its own body; tests read it loosely
  body: any;
}

/** A started gateway on a store and the fake connector, with helpers to play the phone. */
export interface TestGateway {
  gateway: Gateway;
  store: Store;
  /** The scriptable connector: what the gateway sent, and the phone's side of each session. */
  fake: FakeConnector;
  /** Creates a session, connects it and pairs it (as `account`); resolves once it is `connected`. */
  connectSession(
    name?: string,
    account?: Partial<FakeAccount>,
  ): Promise<{ sessionId: string; phone: FakeSession }>;
  /**
   * A message arriving from WhatsApp on a connected session (defaults: a text "hi" from
   * 15550001111); resolves to the message as stored, once its `message.received` is in the log.
   */
  receive(sessionId: string, message?: Partial<InboundMessage>): Promise<Message>;
  /** Events in the log, oldest first; of the given types (or patterns such as `message.*`) when named. */
  events(...types: string[]): Promise<StoredEvent[]>;
  /** Waits for the first event of `type` that `match` accepts (any, when omitted). */
  waitForEvent<K extends EventType>(
    type: K,
    match?: (event: GatewayEvent<K>) => boolean,
    timeoutMs?: number,
  ): Promise<GatewayEvent<K> & { seq: number }>;
  /**
   * Runs a plugin route by operation id as the server would after validating the input:
   * `verify` first, then the handler. @default input.auth `{ scope: 'admin' }`
   */
  call(
    operationId: string,
    input?: {
      params?: object;
      query?: object;
      body?: unknown;
      headers?: Record<string, string>;
      auth?: RequestAuth;
    },
  ): Promise<RouteCallReply>;
  /** Stops the gateway and closes the store (unless `closeStore: false`). */
  stop(): Promise<void>;
}

/**
 * Starts a gateway for testing plugins: the given plugins on an in-memory store (or the store
 * given), the fake WhatsApp connector, short kernel delays. Inject inbound messages with
 * `receive`, await what plugins do with `waitForEvent` and {@link waitFor}, call plugin routes
 * with `call`.
 *
 * @example
 * const t = await testGateway({ plugins: [echo()] });
 * const { sessionId, phone } = await t.connectSession();
 * await t.receive(sessionId, { content: { text: 'ping' } });
 * await waitFor(() => phone.sends.length === 1);
 * await t.stop();
 */
export async function testGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { fake: fakeOptions, closeStore = true, store = createMemoryStore(), ...rest } = options;
  const fake = fakeConnector(fakeOptions);
  const tuning: Record<string, object> = { ...testTuning };
  for (const [group, values] of Object.entries(rest.tuning ?? {}))
    tuning[group] = { ...tuning[group], ...(values as object) };
  const gateway = createGateway({ connector: fake, ...rest, tuning, store });
  await gateway.start();
  let sessions = 0;

  const waitForEvent: TestGateway['waitForEvent'] = (type, match, timeoutMs = 10_000) =>
    waitFor(
      async () =>
        (await store.events.list({ afterSeq: 0, limit: 10_000, types: [type] })).find(
          (event) => event.type === type && (!match || match(event as unknown as GatewayEvent<typeof type>)),
        ) as unknown as (GatewayEvent<typeof type> & { seq: number }) | undefined,
      timeoutMs,
      `a ${type} event`,
    );

  return {
    gateway,
    store,
    fake,
    async connectSession(name = `session-${++sessions}`, account = {}) {
      const session = await gateway.sessions.create({ name });
      await gateway.sessions.connect(session.id);
      const phone = fake.session(session.id);
      await waitFor(() => phone.connection, 10_000, `a socket of ${name}`);
      await phone.open(account);
      await waitFor(
        async () => (await gateway.sessions.get(session.id)).status === 'connected',
        10_000,
        `${name} connected`,
      );
      return { sessionId: session.id, phone };
    },
    async receive(sessionId, message = {}) {
      const waid = message.waid ?? `IN${randomUUID().replaceAll('-', '').slice(0, 20).toUpperCase()}`;
      await fake.session(sessionId).inbound({ ...message, waid });
      const event = await waitForEvent(
        'message.received',
        (e) => e.sessionId === sessionId && e.data.message.waid === waid,
      );
      return event.data.message;
    },
    events: (...types) =>
      store.events.list({ afterSeq: 0, limit: 10_000, ...(types.length ? { types } : {}) }),
    waitForEvent,
    async call(operationId, input = {}) {
      const mounted = gateway.routes.find(({ route }) => route.operationId === operationId);
      if (!mounted) throw new Error(`no plugin route with operation id ${operationId}`);
      const request = {
        params: input.params ?? {},
        query: input.query ?? {},
        body: input.body,
        headers: input.headers ?? {},
        auth: input.auth ?? { scope: 'admin' as const },
      };
      try {
        await mounted.route.verify?.(request, mounted.ctx);
        const reply = await mounted.route.handler(request, mounted.ctx);
        return { status: reply.status ?? 200, body: reply.body };
      } catch (error) {
        if (error instanceof GatewayError) return { status: error.statusCode, body: error.toJSON() };
        throw error;
      }
    },
    async stop() {
      await gateway.stop();
      if (closeStore) await store.close();
    },
  };
}
