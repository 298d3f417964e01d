import { Type } from '@sinclair/typebox';
import { decodeBase64 } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

/** The session's own WhatsApp profile. */
export function profileRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.patch(
    '/sessions/:sessionId/profile',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'updateProfile',
        summary: "Update the account's name, status (about) or picture",
        tags: ['profile'],
        params: SessionParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 25 })),
            status: Type.Optional(Type.String({ maxLength: 139 })),
            picture: Type.Optional(Type.String({ description: 'Base64 JPEG' })),
          },
          { minProperties: 1 },
        ),
        response: responses({ 204: NoContent }, [404, 409, 502, 504]),
      },
    },
    async (request, reply) => {
      const { picture, ...change } = request.body;
      await gateway.profile.update(request.params.sessionId, {
        ...change,
        ...(picture ? { picture: decodeBase64(picture, 'picture') } : {}),
      });
      return reply.status(204).send();
    },
  );
}
