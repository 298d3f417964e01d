import { Type } from '@sinclair/typebox';
import { decodeBase64, Group, GroupParticipantsAction } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses, SessionParams } from '../schemas.js';

const tags = ['groups'];
const GroupParams = Type.Object({
  sessionId: SessionParams.properties.sessionId,
  groupJid: Type.String({
    pattern: '^[0-9]{5,20}(-[0-9]{5,20})?@g\\.us$',
    maxLength: 64,
    description: 'Group JID (`…@g.us`)',
  }),
});
const errors = [404, 409, 502, 504];
const InviteCode = Type.Object({ code: Type.String(), url: Type.String() });
const inviteOf = (code: string) => ({ code, url: `https://chat.whatsapp.com/${code}` });
const picture = Type.Optional(Type.String({ description: 'New group picture, base64 JPEG' }));

/** Group management: list, create, update, participants, invites, join, leave. */
export function groupRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.get(
    '/sessions/:sessionId/groups',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'listGroups',
        summary: 'List the groups the session is in',
        tags,
        params: SessionParams,
        response: responses({ 200: Type.Object({ items: Type.Array(Group) }) }, errors),
      },
    },
    async (request) => ({ items: await gateway.groups.list(request.params.sessionId) }),
  );

  app.post(
    '/sessions/:sessionId/groups',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'createGroup',
        summary: 'Create a group',
        tags,
        params: SessionParams,
        body: Type.Object({
          subject: Type.String({ minLength: 1, maxLength: 100 }),
          participants: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, maxItems: 1024 }),
        }),
        response: responses({ 201: Group }, errors),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await gateway.groups.create(
            request.params.sessionId,
            request.body.subject,
            request.body.participants,
          ),
        ),
  );

  app.get(
    '/sessions/:sessionId/groups/:groupJid',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getGroup',
        summary: 'Get a group (participants and settings)',
        tags,
        params: GroupParams,
        response: responses({ 200: Group }, errors),
      },
    },
    async (request) => gateway.groups.get(request.params.sessionId, request.params.groupJid),
  );

  app.patch(
    '/sessions/:sessionId/groups/:groupJid',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'updateGroup',
        summary: 'Update subject, description, picture or settings',
        tags,
        params: GroupParams,
        body: Type.Object({
          subject: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          description: Type.Optional(Type.String({ maxLength: 2048 })),
          announce: Type.Optional(Type.Boolean({ description: 'Only admins can send' })),
          restrict: Type.Optional(Type.Boolean({ description: 'Only admins can edit group info' })),
          picture,
        }),
        response: responses({ 200: Group }, errors),
      },
    },
    async (request) => {
      const { picture: base64, ...change } = request.body;
      return gateway.groups.update(request.params.sessionId, request.params.groupJid, {
        ...change,
        ...(base64 ? { picture: decodeBase64(base64, 'picture') } : {}),
      });
    },
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/participants',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'updateGroupParticipants',
        summary: 'Add, remove, promote or demote participants',
        tags,
        params: GroupParams,
        body: Type.Object({
          action: GroupParticipantsAction,
          participants: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, maxItems: 256 }),
        }),
        response: responses(
          {
            200: Type.Object({
              results: Type.Array(Type.Object({ jid: Type.String(), status: Type.String() })),
            }),
          },
          errors,
        ),
      },
    },
    async (request) => ({
      results: await gateway.groups.participants(
        request.params.sessionId,
        request.params.groupJid,
        request.body.action,
        request.body.participants,
      ),
    }),
  );

  app.get(
    '/sessions/:sessionId/groups/:groupJid/invite',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getGroupInvite',
        summary: 'Get the invite code',
        tags,
        params: GroupParams,
        response: responses({ 200: InviteCode }, errors),
      },
    },
    async (request) =>
      inviteOf(await gateway.groups.inviteCode(request.params.sessionId, request.params.groupJid)),
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/invite/revoke',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'revokeGroupInvite',
        summary: 'Revoke the invite code (returns the new one)',
        tags,
        params: GroupParams,
        response: responses({ 200: InviteCode }, errors),
      },
    },
    async (request) =>
      inviteOf(await gateway.groups.revokeInvite(request.params.sessionId, request.params.groupJid)),
  );

  app.post(
    '/sessions/:sessionId/groups/join',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'joinGroup',
        summary: 'Join a group by invite code or link',
        tags,
        params: SessionParams,
        body: Type.Object({ code: Type.String({ minLength: 4, maxLength: 128 }) }),
        response: responses({ 200: Type.Object({ groupJid: Type.String() }) }, errors),
      },
    },
    async (request) => ({ groupJid: await gateway.groups.join(request.params.sessionId, request.body.code) }),
  );

  app.post(
    '/sessions/:sessionId/groups/:groupJid/leave',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'leaveGroup',
        summary: 'Leave a group',
        tags,
        params: GroupParams,
        response: responses({ 204: NoContent }, errors),
      },
    },
    async (request, reply) => {
      await gateway.groups.leave(request.params.sessionId, request.params.groupJid);
      return reply.status(204).send();
    },
  );
}
