import { type BinaryNode, decodeBinaryNode, encodeBinaryNode } from '@whiskeysockets/baileys';
import type { WebSocket } from 'ws';
import type { Companion, CompanionRegistration, QueuedStanza } from './registry.js';
import { encodeFrame, FrameDecoder } from './transport/framing.js';
import type { NoiseFinish, NoiseResponder } from './transport/noise-responder.js';

/** Callbacks a connection reports to (implemented by the stanza router). */
export interface ConnectionHandler {
  onHandshake(connection: SimConnection, finish: NoiseFinish): Promise<void> | void;
  onNode(connection: SimConnection, node: BinaryNode): Promise<void> | void;
  onClose(connection: SimConnection): void;
  onError(connection: SimConnection, error: Error): void;
}

let nextConnectionId = 1;

/** One client WebSocket: framing, Noise, binary nodes; knows its companion after login. */
export class SimConnection {
  readonly id = nextConnectionId++;
  /** Set once the device logged in. */
  companion: Companion | undefined;
  /** Set while an unpaired client registers. */
  registration: CompanionRegistration | undefined;
  clientStatic: Buffer | undefined;
  closed = false;
  /** Messages sent on this socket that the device has not acknowledged yet, by stanza id. */
  readonly unacknowledged = new Map<string, QueuedStanza>();
  private readonly decoder = new FrameDecoder();
  private handshakeSent = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly noise: NoiseResponder,
    private readonly handler: ConnectionHandler,
  ) {
    ws.on('message', (data: Buffer) => {
      this.chain = this.chain
        .then(() => this.onData(data))
        .catch((error: unknown) => {
          this.handler.onError(this, error instanceof Error ? error : new Error(String(error)));
          this.terminate();
        });
    });
    ws.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.handler.onClose(this);
    });
    ws.on('error', () => undefined);
  }

  /** Encrypts and sends one stanza; silently dropped once closed. */
  send(node: BinaryNode): void {
    if (this.closed || !this.noise.isTransport) return;
    this.ws.send(encodeFrame(this.noise.encrypt(encodeBinaryNode(node))));
  }

  /**
   * Sends a stanza; a `message` stays pending until the device acknowledges it
   * ({@link acknowledge}), and is handed back by {@link takeUnacknowledged} if the socket dies.
   */
  sendTracked(stanza: QueuedStanza): void {
    const id = stanza.node.attrs.id;
    if (stanza.node.tag === 'message' && id) this.unacknowledged.set(id, stanza);
    this.send(stanza.node);
  }

  /** The device answered these message ids (a receipt or an ack). */
  acknowledge(ids: readonly string[]): void {
    for (const id of ids) this.unacknowledged.delete(id);
  }

  /** What the device never acknowledged, oldest first (emptied). */
  takeUnacknowledged(): QueuedStanza[] {
    const pending = [...this.unacknowledged.values()];
    this.unacknowledged.clear();
    return pending;
  }

  /** Closes the socket after `delayMs` (lets the last stanza flush). */
  end(delayMs = 50): void {
    setTimeout(() => this.ws.close(), delayMs).unref();
  }

  /** Kills the TCP connection without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  private async onData(data: Buffer): Promise<void> {
    for (const frame of this.decoder.push(data)) {
      if (!this.handshakeSent) {
        this.handshakeSent = true;
        this.ws.send(encodeFrame(this.noise.respondToHello(this.decoder.prologue!, frame)));
      } else if (!this.noise.isTransport) {
        const finish = this.noise.finish(frame);
        this.clientStatic = finish.clientStatic;
        await this.handler.onHandshake(this, finish);
      } else {
        await this.handler.onNode(this, await decodeBinaryNode(this.noise.decrypt(frame)));
      }
    }
  }
}
