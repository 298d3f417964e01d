import { type BinaryNode, jidDecode, proto, unpadRandomMax16 } from '@whiskeysockets/baileys';
import type { SimConnection } from '../connection.js';
import type { DeviceMessage, SimulatorEmitter } from '../events.js';
import { recordChat, sendRefusal } from '../faults/send-faults.js';
import type { GroupRegistry } from '../groups/group-registry.js';
import { type Companion, type Peer, type Registry, signalAddress } from '../registry.js';
import { bytesOf, childOf, childrenOf, unixTime } from '../util.js';

/** Receives the decrypted messages addressed to simulated peers. */
export interface MessageSink {
  onDeviceMessage(peer: Peer, message: DeviceMessage, companion: Companion): void;
}

/** What handling a device `message` stanza needs. */
export interface DeviceMessageContext {
  registry: Registry;
  groups: GroupRegistry;
  events: SimulatorEmitter;
  sink: MessageSink;
}

/** Decrypts a Signal payload and unwraps `deviceSentMessage`. */
export const decodeSignalPayload = (plaintext: Uint8Array): proto.IMessage => {
  const message = proto.Message.decode(unpadRandomMax16(plaintext));
  return message.deviceSentMessage?.message ?? message;
};

/**
 * A device sent a message: ack it, decrypt every copy addressed to a simulated peer
 * (contacts and the device's own phone), and hand them to the sink (which schedules
 * delivery and read receipts).
 */
export const handleDeviceMessage = async (
  ctx: DeviceMessageContext,
  connection: SimConnection,
  node: BinaryNode,
): Promise<void> => {
  const companion = connection.companion;
  const id = node.attrs.id ?? '';
  const to = node.attrs.to ?? '';
  const refusal = companion && sendRefusal(ctx.registry, companion, to);
  if (companion && refusal) {
    // the server refuses the message: an error ack, nothing reaches the recipient
    connection.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unixTime(), error: refusal } });
    ctx.events.emit('message-refused', { id, deviceJid: companion.jid, to, error: refusal });
    return;
  }
  connection.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: unixTime() } });
  if (!companion) return;
  const group = to.endsWith('@g.us') ? to : undefined;
  const copies = childrenOf(childOf(node, 'participants')).filter((child) => child.tag === 'to');
  const decoded: DeviceMessage[] = [];
  for (const copy of copies) {
    const recipientJid = copy.attrs.jid ?? '';
    const enc = childOf(copy, 'enc');
    const peer = ctx.registry.peer(recipientJid);
    if (!enc || !peer || (jidDecode(recipientJid)?.device ?? 0) !== 0) continue;
    try {
      const plaintext = await peer.signal.decrypt(
        signalAddress(companion),
        enc.attrs.type ?? '',
        bytesOf(enc),
      );
      const message = decodeSignalPayload(plaintext);
      if (group && message.senderKeyDistributionMessage) {
        await ctx.groups.processDistribution(group, peer, companion, message.senderKeyDistributionMessage);
      }
      decoded.push(deviceMessage(id, companion, to, peer, message, group));
    } catch (error) {
      ctx.events.emit('error', new Error(`decrypt ${id} for ${recipientJid} failed: ${String(error)}`));
    }
  }
  const skmsg = childrenOf(node).find((child) => child.tag === 'enc' && child.attrs.type === 'skmsg');
  if (group && skmsg) {
    for (const [peer, message] of await ctx.groups.decryptGroupMessage(group, companion, bytesOf(skmsg))) {
      const copy = decoded.find((item) => item.recipient === peer.jid);
      if (copy) Object.assign(copy, { message: { ...copy.message, ...message } });
      else decoded.push(deviceMessage(id, companion, to, peer, message, group));
    }
  }
  for (const message of decoded) {
    const peer = ctx.registry.peer(message.recipient)!;
    if (group && message.message.senderKeyDistributionMessage && !hasContent(message.message)) continue;
    if (!group && !message.ownCopy) recordChat(companion.account, peer.jid);
    ctx.events.emit('message', message);
    ctx.sink.onDeviceMessage(peer, message, companion);
  }
};

const hasContent = (message: proto.IMessage): boolean =>
  Object.keys(message).some((key) => key !== 'senderKeyDistributionMessage' && key !== 'messageContextInfo');

const deviceMessage = (
  id: string,
  companion: Companion,
  to: string,
  peer: Peer,
  message: proto.IMessage,
  group: string | undefined,
): DeviceMessage => ({
  id,
  from: companion.jid,
  to,
  recipient: peer.jid,
  message,
  ownCopy: peer === companion.account,
  group,
  timestamp: Date.now(),
});
