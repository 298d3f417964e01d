import { randomBytes, randomInt } from 'node:crypto';
import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { SimContact } from '../contact.js';
import type { Peer } from '../registry.js';

/** A participant's role: `superadmin` (the creator), `admin` or a plain member (`null`). */
export type GroupRole = 'superadmin' | 'admin' | null;

/** A group as the simulator stores it. */
export interface SimGroup {
  /** Group id without the server, e.g. `120363012345678901`. */
  id: string;
  /** `id@g.us` */
  jid: string;
  subject: string;
  subjectOwner: Peer;
  /** Unix seconds. */
  subjectTime: number;
  creator: Peer;
  /** Unix seconds. */
  creation: number;
  description: { id: string; body: string; owner: Peer; time: number } | undefined;
  /** Members in join order with their role. */
  participants: Map<Peer, GroupRole>;
  inviteCode: string;
  /** Only admins may send (`announcement`). */
  announce: boolean;
  /** Only admins may edit the group info (`locked`). */
  restrict: boolean;
  /** Disappearing-messages timer in seconds (0 = off). */
  ephemeral: number;
  /** Device signal addresses each simulated sender already gave its sender key to. */
  distributed: Map<Peer, Set<string>>;
  /** Author and content of recent messages simulated members sent (for quotes). */
  history: Map<string, { author: string; message: proto.IMessage }>;
}

/** A member for {@link Simulator.createGroup}: a contact, or a phone number / user jid. */
export type GroupMemberRef = SimContact | string;

/** Options of `Simulator.createGroup`. */
export interface CreateGroupOptions {
  subject: string;
  /**
   * Members: simulated contacts, or phone numbers / jids of contacts or paired accounts
   * (include the device's account number so the device is in the group). Unknown numbers
   * become simulated contacts.
   */
  participants: GroupMemberRef[];
  /** Creator (`superadmin`); added to the members. @default the first participant */
  owner?: GroupMemberRef;
  /** Members made `admin`. */
  admins?: GroupMemberRef[];
  description?: string;
  /** Group id (digits, without `@g.us`); random `120363…` when omitted. */
  id?: string;
}

/** A group member as the public API describes it. */
export interface GroupParticipantInfo {
  /** `number@s.whatsapp.net` */
  jid: string;
  /** `lid@lid` */
  lid: string;
  admin: GroupRole;
}

/** A group as the public API describes it. */
export interface GroupInfo {
  /** `id@g.us` */
  jid: string;
  subject: string;
  /** Creator's `number@s.whatsapp.net`. */
  owner: string;
  /** Unix seconds. */
  creation: number;
  description: string | undefined;
  participants: GroupParticipantInfo[];
  inviteCode: string;
}

/** Creates a group record; `creator` becomes `superadmin` and is added first. */
export const newGroup = (options: {
  subject: string;
  creator: Peer;
  members: Peer[];
  admins?: Peer[];
  id?: string;
}): SimGroup => {
  const id = options.id ?? `120363${randomInt(100_000_000_000, 999_999_999_999)}`;
  const now = Math.floor(Date.now() / 1000);
  const participants = new Map<Peer, GroupRole>([[options.creator, 'superadmin']]);
  for (const member of options.members) if (!participants.has(member)) participants.set(member, null);
  for (const admin of options.admins ?? [])
    if (participants.get(admin) === null) participants.set(admin, 'admin');
  return {
    id,
    jid: `${id}@g.us`,
    subject: options.subject,
    subjectOwner: options.creator,
    subjectTime: now,
    creator: options.creator,
    creation: now,
    description: undefined,
    participants,
    inviteCode: newInviteCode(),
    announce: false,
    restrict: false,
    ephemeral: 0,
    distributed: new Map(),
    history: new Map(),
  };
};

/** A fresh 22-character invite code. */
export const newInviteCode = (): string => randomBytes(16).toString('base64url').slice(0, 22);

/** `<participant jid lid type/>` of one member. */
export const participantNode = (peer: Peer, role: GroupRole = null): BinaryNode => ({
  tag: 'participant',
  attrs: { jid: peer.jid, lid: peer.lidJid, ...(role ? { type: role } : {}) },
});

/** The `<group>` node Baileys' `extractGroupMetadata` parses (phone-number addressing). */
export const groupNode = (group: SimGroup): BinaryNode => {
  const content: BinaryNode[] = [...group.participants].map(([peer, role]) => participantNode(peer, role));
  if (group.description) {
    const { id, body, owner, time } = group.description;
    content.push({
      tag: 'description',
      attrs: { id, t: String(time), participant: owner.jid, participant_pn: owner.jid },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(body, 'utf8') }],
    });
  }
  if (group.announce) content.push({ tag: 'announcement', attrs: {} });
  if (group.restrict) content.push({ tag: 'locked', attrs: {} });
  if (group.ephemeral) content.push({ tag: 'ephemeral', attrs: { expiration: String(group.ephemeral) } });
  return {
    tag: 'group',
    attrs: {
      id: group.id,
      addressing_mode: 'pn',
      creator: group.creator.jid,
      creator_pn: group.creator.jid,
      creation: String(group.creation),
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: group.subjectOwner.jid,
      s_o_pn: group.subjectOwner.jid,
      size: String(group.participants.size),
    },
    content,
  };
};

/** Public description of a group. */
export const groupInfo = (group: SimGroup): GroupInfo => ({
  jid: group.jid,
  subject: group.subject,
  owner: group.creator.jid,
  creation: group.creation,
  description: group.description?.body,
  participants: [...group.participants].map(([peer, admin]) => ({ jid: peer.jid, lid: peer.lidJid, admin })),
  inviteCode: group.inviteCode,
});
