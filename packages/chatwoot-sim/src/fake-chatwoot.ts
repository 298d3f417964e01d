import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ApiContext } from './api/context.js';
import { Dashboard } from './dashboard.js';
import { InboxEvents } from './events.js';
import { Faults } from './faults.js';
import { buildServer, type RecordedRequest, type Violation } from './server.js';
import { chatwootSpec } from './spec/load.js';
import { createSpecValidator, type SpecValidator } from './spec/validator.js';
import { ChatwootState, type InboxRow, type MessageRow } from './state.js';
import { WebhookSender } from './webhooks.js';

// Dereferencing and compiling the document takes most of a second; the validator keeps no
// per-request state, so every fake in the process shares one.
let sharedValidator: Promise<SpecValidator> | undefined;

/** Options of {@link startFakeChatwoot}. */
export interface FakeChatwootOptions {
  /** @default 1 */
  accountId?: number;
  /** The API access token requests must carry in `api_access_token`. @default random */
  token?: string;
  /** Inboxes created over the API get a webhook signing secret, as on Chatwoot 4.13+. @default true */
  signWebhooks?: boolean;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
}

/** A running fake Chatwoot. */
export interface FakeChatwoot {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly accountId: number;
  /** The current valid token (see {@link FakeChatwoot.revokeToken}). */
  readonly token: string;
  readonly state: ChatwootState;
  readonly faults: Faults;
  /** Agents' actions in the dashboard (they send webhooks). */
  readonly dashboard: Dashboard;
  /** Webhooks sent, in order. */
  readonly webhooks: WebhookSender;
  readonly requests: readonly RecordedRequest[];
  /** Requests that did not match Chatwoot's OpenAPI document. Tests expect none. */
  readonly violations: readonly Violation[];
  /** An API inbox made as an admin would (not through the API, so no request is recorded). */
  createInbox(name: string, webhookUrl?: string | null, signed?: boolean): InboxRow;
  /** Deletes an inbox with its conversations and messages (later calls about them get 404). */
  deleteInbox(id: number): void;
  /** Invalidates the token (every later call gets 401). */
  revokeToken(): void;
  /** Messages of a conversation, oldest first. */
  messagesOf(conversationId: number): MessageRow[];
  /** Resolves when every webhook sent so far has been answered. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a fake Chatwoot on a real HTTP port: it keeps contacts, conversations, messages and
 * inboxes in memory, answers like Chatwoot's Application API, refuses (and records) every request
 * that does not match Chatwoot's OpenAPI document, sends signed webhooks to API inboxes, and
 * fails on demand.
 *
 * @example
 * const chatwoot = await startFakeChatwoot();
 * const inbox = chatwoot.createInbox('WhatsApp', 'https://gw.example/v1/chatwoot/callback');
 * // … run the bridge against chatwoot.url with chatwoot.token …
 * expect(chatwoot.violations).toEqual([]);
 * await chatwoot.close();
 */
export async function startFakeChatwoot(options: FakeChatwootOptions = {}): Promise<FakeChatwoot> {
  const state = new ChatwootState(options.accountId ?? 1);
  let token = options.token ?? randomBytes(18).toString('base64url');
  let url = '';
  const webhooks = new WebhookSender();
  const ctx: ApiContext = {
    state,
    events: new InboxEvents(state, webhooks, () => url),
    baseUrl: () => url,
    signWebhooks: options.signWebhooks ?? true,
  };
  const faults = new Faults();
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  sharedValidator ??= createSpecValidator(chatwootSpec());
  const validator = await sharedValidator;
  const app = await buildServer({ ctx, validator, faults, token: () => token, requests, violations });
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  url = `http://${address.address}:${address.port}`;

  return {
    url,
    accountId: state.accountId,
    get token() {
      return token;
    },
    state,
    faults,
    dashboard: new Dashboard(ctx),
    webhooks,
    requests,
    violations,
    createInbox: (name, webhookUrl = null, signed = ctx.signWebhooks) =>
      state.addInbox(name, webhookUrl, signed),
    deleteInbox(id) {
      state.inboxes.delete(id);
      for (const [key, conversation] of state.conversations) {
        if (conversation.inboxId === id) state.conversations.delete(key);
      }
      for (const [key, message] of state.messages) if (message.inboxId === id) state.messages.delete(key);
      for (const [key, row] of state.contactInboxes) if (row.inboxId === id) state.contactInboxes.delete(key);
    },
    revokeToken() {
      token = randomBytes(18).toString('base64url');
    },
    messagesOf: (conversationId) => state.messagesOf(conversationId),
    webhooksIdle: () => webhooks.idle(),
    async close() {
      await webhooks.idle();
      await app.close();
    },
  };
}
