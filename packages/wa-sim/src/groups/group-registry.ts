import { type BinaryNode, proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import type { SimulatorEmitter } from '../events.js';
import { deliver, mediaTypeOf, stanzaType } from '../messages/deliver.js';
import { decodeSignalPayload } from '../messages/device-messages.js';
import { type Account, type Companion, type Peer, type Registry, signalAddress } from '../registry.js';
import { companionBundle } from '../router/prekeys.js';
import { newMessageId, unixTime } from '../util.js';
import { answerGroupIq } from './group-iq.js';
import { groupNode, newGroup, type SimGroup } from './group-model.js';
import { type SenderAddress, SenderKeys } from './sender-keys.js';

/** Options of {@link GroupRegistry.create}. */
export interface NewGroupOptions {
  subject: string;
  creator: Peer;
  members: Peer[];
  admins?: Peer[];
  description?: string;
  id?: string;
}

const HISTORY_SIZE = 500;

const peerSender = (peer: Peer): SenderAddress => ({ id: peer.phoneNumber, deviceId: 0 });
const companionSender = (companion: Companion): SenderAddress => ({
  id: companion.account.phoneNumber,
  deviceId: companion.deviceId,
});

/**
 * Groups on the simulator: metadata and membership (answering Baileys' `w:g2` iqs),
 * `w:gp2` notifications, and sender-key messaging in both directions — simulated members
 * encrypt with their own sender key (distributed to each device in a pkmsg/msg first), and
 * every simulated member decrypts a device's `skmsg` with the key the device distributed.
 */
export class GroupRegistry {
  private readonly groups = new Map<string, SimGroup>();
  private readonly keys = new Map<Peer, SenderKeys>();
  private readonly sending = new Map<Peer, Promise<unknown>>();

  constructor(
    readonly registry: Registry,
    readonly events: SimulatorEmitter,
    /** Creates a simulated contact for an unknown phone number (used by create/add). */
    private readonly createContact: (phoneNumber: string) => Peer = (phoneNumber) =>
      registry.addContact(phoneNumber, `Contact ${phoneNumber}`),
  ) {}

  /** All groups, oldest first. */
  list(): SimGroup[] {
    return [...this.groups.values()];
  }

  /** A group by jid (`id@g.us`) or bare id. */
  get(jid: string): SimGroup | undefined {
    return this.groups.get(jid.includes('@') ? jid : `${jid}@g.us`);
  }

  /** Peer for a user jid; with `create`, unknown phone-number jids become simulated contacts. */
  resolvePeer(jid: string, create = false): Peer | undefined {
    const peer = this.registry.peer(jid);
    if (peer || !create || !/^\d+(:\d+)?@s\.whatsapp\.net$/.test(jid)) return peer;
    return this.createContact(jid.split(/[:@]/)[0]!);
  }

  /**
   * Creates a group and sends the `w:gp2 create` notification to the devices of every
   * member account (except `exceptCompanion`, the device that asked for it).
   */
  create(options: NewGroupOptions, exceptCompanion?: Companion): SimGroup {
    const group = newGroup(options);
    if (this.groups.has(group.jid)) throw new Error(`group ${group.jid} already exists`);
    if (options.description) {
      group.description = {
        id: newMessageId(),
        body: options.description,
        owner: options.creator,
        time: group.creation,
      };
    }
    this.groups.set(group.jid, group);
    this.notify(
      group,
      options.creator,
      { tag: 'create', attrs: {}, content: [groupNode(group)] },
      [],
      exceptCompanion,
    );
    return group;
  }

  /** Answers `w:g2` iqs. */
  answerIq(
    iq: BinaryNode,
    first: BinaryNode | undefined,
    companion: Companion | undefined,
  ): BinaryNode[] | undefined {
    return answerGroupIq(this, iq, first, companion);
  }

  /** Sends a `w:gp2` notification about `group` to the devices of its members and of `also`. */
  notify(group: SimGroup, actor: Peer, child: BinaryNode, also: Peer[] = [], except?: Companion): void {
    const accounts = new Set([...group.participants.keys(), ...also]);
    for (const peer of accounts) {
      if (peer.kind !== 'account') continue;
      for (const companion of (peer as Account).companions.values()) {
        if (companion === except) continue;
        deliver(companion, {
          tag: 'notification',
          attrs: {
            from: group.jid,
            type: 'w:gp2',
            id: newMessageId(),
            t: unixTime(),
            participant: actor.jid,
            participant_pn: actor.jid,
            notify: actor.name,
          },
          content: [child],
        });
      }
    }
  }

  /**
   * Sends `message` from the simulated member `peer` to every device of the group's
   * member accounts: a Signal pkmsg/msg with the sender-key distribution for devices
   * that don't have `peer`'s key yet, then the `skmsg`.
   */
  send(peer: Peer, groupJid: string, message: proto.IMessage, id: string): Promise<void> {
    const run = (this.sending.get(peer) ?? Promise.resolve()).then(() =>
      this.sendNow(peer, groupJid, message, id),
    );
    this.sending.set(
      peer,
      run.catch(() => undefined),
    );
    return run;
  }

  /** Author jid of a message a simulated member sent to the group (for quotes). */
  authorOf(groupJid: string, id: string): string | undefined {
    return this.get(groupJid)?.history.get(id)?.author;
  }

  /** Stores a sender key a device distributed to `peer`. */
  async processDistribution(
    group: string,
    peer: Peer,
    companion: Companion,
    item: proto.Message.ISenderKeyDistributionMessage,
  ): Promise<void> {
    if (!item.axolotlSenderKeyDistributionMessage) return;
    await this.senderKeys(peer).process(
      item.groupId || group,
      companionSender(companion),
      item.axolotlSenderKeyDistributionMessage,
    );
  }

  /** Decrypts a device's `skmsg` as each simulated peer that holds its sender key. */
  async decryptGroupMessage(
    group: string,
    companion: Companion,
    ciphertext: Buffer,
  ): Promise<Array<[Peer, proto.IMessage]>> {
    const sender = companionSender(companion);
    const out: Array<[Peer, proto.IMessage]> = [];
    for (const [peer, keys] of this.keys) {
      if (!keys.has(group, sender)) continue;
      try {
        out.push([peer, decodeSignalPayload(await keys.decrypt(group, sender, ciphertext))]);
      } catch (error) {
        this.events.emit('error', new Error(`skmsg for ${peer.jid} in ${group} failed: ${String(error)}`));
      }
    }
    return out;
  }

  private senderKeys(peer: Peer): SenderKeys {
    let keys = this.keys.get(peer);
    if (!keys) {
      keys = new SenderKeys();
      this.keys.set(peer, keys);
    }
    return keys;
  }

  private async sendNow(peer: Peer, groupJid: string, message: proto.IMessage, id: string): Promise<void> {
    const group = this.get(groupJid);
    if (!group) throw new Error(`no group ${groupJid} on the simulator`);
    if (!group.participants.has(peer)) throw new Error(`${peer.jid} is not a member of ${group.jid}`);
    const padded = writeRandomPadMax16(proto.Message.encode(message).finish());
    const { ciphertext, distribution } = await this.senderKeys(peer).encrypt(
      group.jid,
      peerSender(peer),
      padded,
    );
    const skdm = writeRandomPadMax16(
      proto.Message.encode({
        senderKeyDistributionMessage: {
          groupId: group.jid,
          axolotlSenderKeyDistributionMessage: distribution,
        },
      }).finish(),
    );
    let given = group.distributed.get(peer);
    if (!given) {
      given = new Set();
      group.distributed.set(peer, given);
    }
    const mediatype = mediaTypeOf(message);
    const attrs = {
      from: group.jid,
      participant: peer.jid,
      participant_lid: peer.lidJid,
      addressing_mode: 'pn',
      id,
      t: unixTime(),
      type: stanzaType(message),
      notify: peer.name,
    };
    for (const member of group.participants.keys()) {
      if (member.kind !== 'account' || member === peer) continue;
      for (const companion of (member as Account).companions.values()) {
        const content: BinaryNode[] = [];
        const address = signalAddress(companion);
        if (!given.has(address)) {
          const enc = await peer.signal.encrypt(address, () => companionBundle(companion), skdm);
          content.push({ tag: 'enc', attrs: { v: '2', type: enc.type }, content: enc.ciphertext });
          given.add(address);
        }
        content.push({
          tag: 'enc',
          attrs: { v: '2', type: 'skmsg', ...(mediatype ? { mediatype } : {}) },
          content: ciphertext,
        });
        deliver(companion, { tag: 'message', attrs, content });
      }
    }
    group.history.set(id, { author: peer.jid, message });
    if (group.history.size > HISTORY_SIZE) group.history.delete(group.history.keys().next().value!);
  }
}
