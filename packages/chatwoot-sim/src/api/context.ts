import type { FastifyReply } from 'fastify';
import type { InboxEvents } from '../events.js';
import type { ChatwootState } from '../state.js';

/** What the API routes share. */
export interface ApiContext {
  state: ChatwootState;
  events: InboxEvents;
  baseUrl(): string;
  /** Whether inboxes created over the API get a webhook signing secret (Chatwoot 4.13+). */
  signWebhooks: boolean;
}

/** Path parameters of the account-scoped routes, as strings from the URL. */
export type Params = Record<string, string>;

/** Chatwoot's answer for a record that does not exist (or is not this account's). */
export function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'Resource could not be found' });
}

/** Chatwoot's answer for `ActiveRecord::RecordInvalid`. */
export function invalid(reply: FastifyReply, message: string, attributes: string[]) {
  return reply.code(422).send({ message, attributes });
}

/** A numeric path parameter (the validator has already checked it is an integer). */
export const idOf = (params: Params, name: string) => Number(params[name]);
