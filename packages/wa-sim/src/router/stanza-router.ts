import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { ConnectionHandler, SimConnection } from '../connection.js';
import { flushQueue } from '../messages/deliver.js';
import { type DeviceMessageContext, handleDeviceMessage } from '../messages/device-messages.js';
import type { NoiseFinish } from '../transport/noise-responder.js';
import { childrenOf, unixTime } from '../util.js';
import { handleIq, type IqContext } from './iq-router.js';

/** Everything the router needs from the simulator. */
export type RouterContext = IqContext & DeviceMessageContext;

/** Dispatches handshakes (registration or login) and stanzas of every connection. */
export class StanzaRouter implements ConnectionHandler {
  constructor(private readonly ctx: RouterContext) {}

  async onHandshake(connection: SimConnection, { payload }: NoiseFinish): Promise<void> {
    if (payload.devicePairingData) this.ctx.pairing.startRegistration(connection, payload);
    else await this.login(connection, payload);
  }

  async onNode(connection: SimConnection, node: BinaryNode): Promise<void> {
    switch (node.tag) {
      case 'iq':
        return handleIq(this.ctx, connection, node);
      case 'message':
        return handleDeviceMessage(this.ctx, connection, node);
      case 'receipt':
        return this.onReceipt(connection, node);
      case 'ack':
        // the device handled a message without a receipt (a nack, a newsletter…)
        if (node.attrs.class === 'message' && node.attrs.id) connection.acknowledge([node.attrs.id]);
        return;
      case 'presence':
        this.ctx.events.emit('presence', {
          deviceJid: connection.companion?.jid,
          type: node.attrs.type,
          to: node.attrs.to,
        });
        return;
      case 'chatstate': {
        const state = childrenOf(node)[0];
        if (!state) return;
        this.ctx.events.emit('chatstate', {
          deviceJid: connection.companion?.jid,
          to: node.attrs.to,
          state: state.tag,
          media: state.attrs.media,
        });
        return;
      }
      default:
        return;
    }
  }

  onClose(connection: SimConnection): void {
    this.ctx.pairing.forget(connection);
    const companion = connection.companion;
    if (companion?.connection === connection) companion.connection = undefined;
    // what the device never acknowledged goes first on its next connection
    const pending = connection.takeUnacknowledged();
    if (companion && pending.length > 0) {
      companion.offlineQueue.unshift(...pending);
      const current = companion.connection;
      if (current && !current.closed)
        void flushQueue(companion, current).catch((e) => this.onError(current, e));
    }
    this.ctx.events.emit('disconnect', { deviceJid: companion?.jid, connectionId: connection.id });
  }

  onError(_connection: SimConnection, error: Error): void {
    this.ctx.events.emit('error', error);
  }

  private async login(connection: SimConnection, payload: proto.ClientPayload): Promise<void> {
    const username = String(payload.username ?? '');
    const device = payload.device ?? 0;
    const companion = this.ctx.registry.companionForLogin(username, device);
    if (!companion || !connection.clientStatic?.equals(companion.registration.noiseKey)) {
      this.ctx.events.emit('login-failed', {
        username,
        device,
        reason: companion ? 'noise key mismatch' : 'unknown',
      });
      connection.send({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
      connection.end();
      return;
    }
    const previous = companion.connection;
    if (previous && previous !== connection && !previous.closed) {
      this.ctx.events.emit('login-replaced', {
        deviceJid: companion.jid,
        connectionId: connection.id,
        replacedConnectionId: previous.id,
      });
      previous.send({
        tag: 'stream:error',
        attrs: {},
        content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
      });
      previous.companion = undefined;
      previous.end();
    }
    connection.companion = companion;
    companion.connection = connection;
    connection.send({
      tag: 'success',
      attrs: {
        t: unixTime(),
        lid: companion.lidJid,
        props: '1',
        abprops: '1',
        location: 'sim',
        creation: unixTime(),
      },
    });
    const queued = await flushQueue(companion, connection);
    connection.send({
      tag: 'ib',
      attrs: { from: 's.whatsapp.net' },
      content: [{ tag: 'offline', attrs: { count: String(queued) } }],
    });
    this.ctx.events.emit('login', { deviceJid: companion.jid, connectionId: connection.id });
  }

  private onReceipt(connection: SimConnection, node: BinaryNode): void {
    const { id = '', to = '', type } = node.attrs;
    connection.send({
      tag: 'ack',
      attrs: { class: 'receipt', id, from: to || 's.whatsapp.net', ...(type ? { type } : {}) },
    });
    const listed = childrenOf(childrenOf(node).find((child) => child.tag === 'list'))
      .map((item) => item.attrs.id)
      .filter((item): item is string => Boolean(item));
    // a retry receipt asks for the message again: it is not an acknowledgement
    if (type !== 'retry') connection.acknowledge([id, ...listed]);
    if (connection.companion) {
      this.ctx.events.emit('receipt', { from: connection.companion.jid, to, ids: [id, ...listed], type });
    }
  }
}
