import type { FastifyInstance, FastifyReply } from 'fastify';
import { contactJson, conversationJson, inboxJson } from '../serialize.js';
import type { ContactRow } from '../state.js';
import { type ApiContext, idOf, invalid, notFound, type Params } from './context.js';

type ContactBody = {
  inbox_id?: number;
  name?: string;
  email?: string;
  phone_number?: string;
  identifier?: string;
  avatar_url?: string;
  custom_attributes?: Record<string, unknown>;
};

const e164 = /^\+[1-9]\d{1,14}$/;

/** Chatwoot's contact validations: E.164 phone numbers; identifier, email and phone unique per account. */
function problemOf(ctx: ApiContext, body: ContactBody, self?: ContactRow): [string, string] | null {
  if (body.phone_number && !e164.test(body.phone_number))
    return ['phone_number', 'Phone number should be in e164 format'];
  for (const [key, column] of [
    ['identifier', 'identifier'],
    ['email', 'email'],
    ['phone_number', 'phoneNumber'],
  ] as const) {
    const value = body[key];
    if (!value) continue;
    const taken = [...ctx.state.contacts.values()].some((c) => c !== self && c[column] === value);
    if (taken) return [key, `${key.replace('_', ' ')} has already been taken`];
  }
  return null;
}

function apply(contact: ContactRow, body: ContactBody): void {
  if (body.name !== undefined) contact.name = body.name;
  if (body.email !== undefined) contact.email = body.email || null;
  if (body.phone_number !== undefined) contact.phoneNumber = body.phone_number || null;
  if (body.identifier !== undefined) contact.identifier = body.identifier || null;
  if (body.avatar_url !== undefined) contact.avatarUrl = body.avatar_url || null;
  if (body.custom_attributes)
    contact.customAttributes = { ...contact.customAttributes, ...body.custom_attributes };
}

export function contactRoutes(app: FastifyInstance, ctx: ApiContext, prefix: string): void {
  const { state } = ctx;
  const find = (params: Params, reply: FastifyReply) => {
    const contact = state.contacts.get(idOf(params, 'id'));
    if (!contact) notFound(reply);
    return contact;
  };

  // contacts.where('name ILIKE :q OR email ILIKE :q OR phone_number ILIKE :q OR identifier LIKE :q')
  app.get<{ Querystring: { q?: string; page?: string } }>(`${prefix}/contacts/search`, async (request) => {
    const q = (request.query.q ?? '').trim().toLowerCase();
    const found = [...state.contacts.values()].filter((c) =>
      [c.name, c.email, c.phoneNumber, c.identifier].some((v) => v?.toLowerCase().includes(q)),
    );
    const page = Number(request.query.page ?? 1);
    const payload = found.slice((page - 1) * 15, page * 15).map((c) => contactJson(state, c));
    return { meta: { count: found.length, current_page: String(page) }, payload };
  });

  app.get<{ Params: Params }>(`${prefix}/contacts/:id`, async (request, reply) => {
    const contact = find(request.params, reply);
    return contact ? { payload: contactJson(state, contact) } : reply;
  });

  app.post<{ Body: ContactBody }>(`${prefix}/contacts`, async (request, reply) => {
    const body = request.body;
    const inbox = state.inboxes.get(body.inbox_id ?? 0);
    if (!inbox) return notFound(reply);
    const problem = problemOf(ctx, body);
    if (problem) return invalid(reply, problem[1], [problem[0]]);
    const contact: ContactRow = {
      id: state.nextId('contact'),
      name: '',
      email: null,
      phoneNumber: null,
      identifier: null,
      avatarUrl: null,
      customAttributes: {},
      additionalAttributes: {},
      createdAt: new Date(),
    };
    apply(contact, body);
    state.contacts.set(contact.id, contact);
    const contactInbox = state.addContactInbox(contact.id, inbox.id);
    return {
      payload: {
        contact: contactJson(state, contact),
        contact_inbox: { inbox: inboxJson(inbox), source_id: contactInbox.sourceId },
      },
    };
  });

  app.put<{ Params: Params; Body: ContactBody }>(`${prefix}/contacts/:id`, async (request, reply) => {
    const contact = find(request.params, reply);
    if (!contact) return reply;
    const problem = problemOf(ctx, request.body, contact);
    if (problem) return invalid(reply, problem[1], [problem[0]]);
    apply(contact, request.body);
    return { payload: contactJson(state, contact) };
  });

  app.post<{ Params: Params; Body: { inbox_id: number; source_id?: string } }>(
    `${prefix}/contacts/:id/contact_inboxes`,
    async (request, reply) => {
      const contact = find(request.params, reply);
      if (!contact) return reply;
      const inbox = state.inboxes.get(request.body.inbox_id);
      if (!inbox) return notFound(reply);
      const row = state.addContactInbox(contact.id, inbox.id, request.body.source_id);
      return { source_id: row.sourceId, inbox: inboxJson(inbox) };
    },
  );

  app.get<{ Params: Params }>(`${prefix}/contacts/:id/conversations`, async (request, reply) => {
    const contact = find(request.params, reply);
    if (!contact) return reply;
    const mine = [...state.conversations.values()].filter((c) => c.contactId === contact.id);
    return { payload: mine.map((c) => conversationJson(state, ctx.baseUrl(), c)) };
  });
}
