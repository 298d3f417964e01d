import { Type } from '@sinclair/typebox';
import { ChatId, Contact, Page } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { responses, SessionParams } from '../schemas.js';

const tags = ['contacts'];

/** Contact queries. */
export function contactRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.get(
    '/sessions/:sessionId/contacts',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'listContacts',
        summary: 'List contacts',
        description: 'Ordered by JID; `search` matches name, push name, phone number or JID.',
        tags,
        params: SessionParams,
        querystring: Type.Object({
          search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          cursor: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: responses({ 200: Page(Contact) }, [404]),
      },
    },
    async (request) => {
      const { search, cursor, limit } = request.query;
      return gateway.directory.listContacts(request.params.sessionId, {
        limit,
        ...(search ? { search } : {}),
        ...(cursor ? { cursor } : {}),
      });
    },
  );

  app.get(
    '/sessions/:sessionId/contacts/:jid',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getContact',
        summary: 'Get a contact',
        tags,
        params: Type.Object({
          sessionId: SessionParams.properties.sessionId,
          jid: ChatId(
            'Contact: a phone number (`15550002222`), a JID (`…@s.whatsapp.net`) or a LID (`…@lid`)',
          ),
        }),
        response: responses({ 200: Contact }, [404]),
      },
    },
    async (request) => gateway.directory.getContact(request.params.sessionId, request.params.jid),
  );
}
