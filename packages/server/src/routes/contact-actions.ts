import { Type } from '@sinclair/typebox';
import { ChatId } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

const tags = ['contacts'];
const JidParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  jid: ChatId('Contact: a phone number (`15550002222`), a JID (`…@s.whatsapp.net`) or a LID (`…@lid`)'),
});
const errors = [404, 409, 502, 504];

/** Contact operations that ask WhatsApp: number checks, profile pictures, blocking. */
export function contactActionRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.post(
    '/sessions/:sessionId/contacts/check',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'checkNumbers',
        summary: 'Check which phone numbers are on WhatsApp',
        tags,
        params: SessionParams,
        body: Type.Object({
          phoneNumbers: Type.Array(Type.String({ minLength: 5, maxLength: 32 }), {
            minItems: 1,
            maxItems: 100,
          }),
        }),
        response: responses(
          {
            200: Type.Object({
              results: Type.Array(
                Type.Object({
                  phoneNumber: Type.String(),
                  exists: Type.Boolean(),
                  jid: Type.Union([Type.String(), Type.Null()]),
                }),
              ),
            }),
          },
          errors,
        ),
      },
    },
    async (request) => ({
      results: await gateway.contacts.check(request.params.sessionId, request.body.phoneNumbers),
    }),
  );

  app.get(
    '/sessions/:sessionId/contacts/:jid/picture',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getProfilePicture',
        summary: "Get a contact's (or group's) profile picture URL",
        tags,
        params: JidParams,
        response: responses({ 200: Type.Object({ url: Type.Union([Type.String(), Type.Null()]) }) }, errors),
      },
    },
    async (request) => ({
      url: await gateway.contacts.profilePicture(request.params.sessionId, request.params.jid),
    }),
  );

  for (const [action, operationId, blocked] of [
    ['block', 'blockContact', true],
    ['unblock', 'unblockContact', false],
  ] as const) {
    app.post(
      `/sessions/:sessionId/contacts/:jid/${action}`,
      {
        config: { auth: 'session' },
        schema: {
          operationId,
          summary: blocked ? 'Block a contact' : 'Unblock a contact',
          tags,
          params: JidParams,
          response: responses({ 204: NoContent }, errors),
        },
      },
      async (request, reply) => {
        await gateway.contacts.block(request.params.sessionId, request.params.jid, blocked);
        return reply.status(204).send();
      },
    );
  }
}
