import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Companion, Peer } from '../registry.js';
import { bytesOf, childOf, childrenOf, newMessageId } from '../util.js';
import { groupNode, newInviteCode, participantNode, type SimGroup } from './group-model.js';
import type { GroupRegistry } from './group-registry.js';

const errorNode = (code: number, text: string): BinaryNode => ({
  tag: 'error',
  attrs: { code: String(code), text },
});

const participantJids = (node: BinaryNode | undefined): string[] =>
  childrenOf(node)
    .filter((child) => child.tag === 'participant' && child.attrs.jid)
    .map((child) => child.attrs.jid!);

const isAdmin = (group: SimGroup, peer: Peer): boolean => Boolean(group.participants.get(peer));

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Answers a `w:g2` iq of a logged-in companion: metadata, participating groups, create,
 * leave, invites, subject/description/settings and participant changes. Changes emit
 * `w:gp2` notifications to every member's devices. Errors are `<error code text/>` children,
 * which Baileys turns into a thrown `Boom` with that status code.
 */
export const answerGroupIq = (
  groups: GroupRegistry,
  iq: BinaryNode,
  first: BinaryNode | undefined,
  companion: Companion | undefined,
): BinaryNode[] | undefined => {
  if (!companion || !first) return undefined;
  const actor = companion.account;
  const to = iq.attrs.to ?? '';
  if (!to || to.startsWith('@') || to === 'g.us') return answerServerIq(groups, iq, first, companion);
  const group = groups.get(to);
  if (!group) return [errorNode(404, 'item-not-found')];
  if (iq.attrs.type === 'get') {
    if (first.tag === 'query') return [groupNode(group)];
    if (first.tag === 'invite') return [{ tag: 'invite', attrs: { code: group.inviteCode } }];
    if (first.tag === 'membership_approval_requests') return [{ tag: first.tag, attrs: {}, content: [] }];
    return undefined;
  }
  if (!group.participants.has(actor)) return [errorNode(403, 'forbidden')];
  const admin = isAdmin(group, actor);
  switch (first.tag) {
    case 'add':
    case 'remove':
    case 'promote':
    case 'demote':
      if (!admin) return [errorNode(401, 'not-authorized')];
      return [changeParticipants(groups, group, actor, first)];
    case 'subject':
      if (group.restrict && !admin) return [errorNode(401, 'not-authorized')];
      group.subject = bytesOf(first).toString('utf8');
      group.subjectOwner = actor;
      group.subjectTime = now();
      groups.notify(group, actor, {
        tag: 'subject',
        attrs: { subject: group.subject, s_t: String(group.subjectTime), s_o: actor.jid },
      });
      return undefined;
    case 'description':
      if (group.restrict && !admin) return [errorNode(401, 'not-authorized')];
      return updateDescription(groups, group, actor, first);
    case 'invite':
      if (!admin) return [errorNode(401, 'not-authorized')];
      group.inviteCode = newInviteCode();
      return [{ tag: 'invite', attrs: { code: group.inviteCode } }];
    case 'announcement':
    case 'not_announcement':
    case 'locked':
    case 'unlocked':
    case 'ephemeral':
    case 'not_ephemeral':
      if (!admin) return [errorNode(401, 'not-authorized')];
      if (first.tag.endsWith('announcement')) group.announce = first.tag === 'announcement';
      else if (first.tag.endsWith('locked')) group.restrict = first.tag === 'locked';
      else group.ephemeral = Number(first.attrs.expiration ?? 0);
      groups.notify(group, actor, { tag: first.tag, attrs: { ...first.attrs } });
      return undefined;
    default:
      return undefined;
  }
};

/** `w:g2` iqs addressed to `@g.us` (not to one group). */
const answerServerIq = (
  groups: GroupRegistry,
  iq: BinaryNode,
  first: BinaryNode,
  companion: Companion,
): BinaryNode[] | undefined => {
  const actor = companion.account;
  switch (first.tag) {
    case 'participating':
      return [
        {
          tag: 'groups',
          attrs: {},
          content: groups
            .list()
            .filter((group) => group.participants.has(actor))
            .map(groupNode),
        },
      ];
    case 'create': {
      const members = participantJids(first)
        .map((jid) => groups.resolvePeer(jid, true))
        .filter((peer): peer is Peer => Boolean(peer));
      const group = groups.create({ subject: first.attrs.subject ?? '', creator: actor, members }, companion);
      return [groupNode(group)];
    }
    case 'leave': {
      const ids = childrenOf(first)
        .filter((child) => child.tag === 'group' && child.attrs.id)
        .map((child) => child.attrs.id!);
      for (const id of ids) {
        const group = groups.get(id);
        if (!group?.participants.has(actor)) continue;
        group.participants.delete(actor);
        groups.notify(
          group,
          actor,
          { tag: 'remove', attrs: {}, content: [participantNode(actor)] },
          [actor],
          companion,
        );
      }
      return [{ tag: 'leave', attrs: {}, content: ids.map((id) => ({ tag: 'group', attrs: { id } })) }];
    }
    case 'invite': {
      const group = groups.list().find((item) => item.inviteCode === first.attrs.code);
      if (!group) return [errorNode(404, 'item-not-found')];
      if (iq.attrs.type === 'get') return [groupNode(group)];
      if (!group.participants.has(actor)) {
        group.participants.set(actor, null);
        groups.notify(
          group,
          actor,
          { tag: 'add', attrs: {}, content: [participantNode(actor)] },
          [],
          companion,
        );
      }
      return [{ tag: 'group', attrs: { jid: group.jid } }];
    }
    default:
      return undefined;
  }
};

const changeParticipants = (
  groups: GroupRegistry,
  group: SimGroup,
  actor: Peer,
  request: BinaryNode,
): BinaryNode => {
  const action = request.tag as 'add' | 'remove' | 'promote' | 'demote';
  const changed: Peer[] = [];
  const results = participantJids(request).map((jid): BinaryNode => {
    const peer = groups.resolvePeer(jid, action === 'add');
    const role = peer ? group.participants.get(peer) : undefined;
    if (!peer) return { tag: 'participant', attrs: { jid, error: '404' } };
    if (action === 'add') {
      if (role !== undefined) return { tag: 'participant', attrs: { jid, error: '409' } };
      group.participants.set(peer, null);
    } else if (role === undefined) {
      return { tag: 'participant', attrs: { jid, error: '404' } };
    } else if (action === 'remove') {
      group.participants.delete(peer);
    } else {
      group.participants.set(peer, action === 'promote' ? (role ?? 'admin') : null);
    }
    changed.push(peer);
    return { tag: 'participant', attrs: { jid, ...(action === 'add' ? { lid: peer.lidJid } : {}) } };
  });
  if (changed.length) {
    groups.notify(
      group,
      actor,
      { tag: action, attrs: {}, content: changed.map((peer) => participantNode(peer)) },
      action === 'remove' ? changed : [],
    );
  }
  return { tag: action, attrs: {}, content: results };
};

const updateDescription = (
  groups: GroupRegistry,
  group: SimGroup,
  actor: Peer,
  request: BinaryNode,
): BinaryNode[] | undefined => {
  const body = childOf(request, 'body');
  if (request.attrs.delete === 'true' || !body) group.description = undefined;
  else {
    group.description = {
      id: request.attrs.id ?? newMessageId(),
      body: bytesOf(body).toString('utf8'),
      owner: actor,
      time: now(),
    };
  }
  groups.notify(group, actor, {
    tag: 'description',
    attrs: group.description ? { id: group.description.id } : { delete: 'true' },
    ...(group.description
      ? { content: [{ tag: 'body', attrs: {}, content: Buffer.from(group.description.body, 'utf8') }] }
      : {}),
  });
  return undefined;
};
