import { EventEmitter } from 'node:events';
import type { proto } from '@whiskeysockets/baileys';

/** A companion finished pairing. */
export interface PairedEvent {
  method: 'qr' | 'code';
  phoneNumber: string;
  /** Account jid `number@s.whatsapp.net`. */
  jid: string;
  /** Account LID jid `lid@lid`. */
  lid: string;
  /** Device jid `number:device@s.whatsapp.net`. */
  deviceJid: string;
  /** Device LID jid `lid:device@lid`. */
  deviceLid: string;
  deviceId: number;
  /** Whether the companion's ADV device signature verified. */
  deviceSignatureValid: boolean;
}

/** A decrypted message a paired device sent. */
export interface DeviceMessage {
  id: string;
  /** Sending device jid. */
  from: string;
  /** Chat jid the device addressed (`to` attribute: user or group jid). */
  to: string;
  /** Jid of the simulated peer this copy was decrypted for. */
  recipient: string;
  /** The decrypted message with `deviceSentMessage` unwrapped. */
  message: proto.IMessage;
  /** True for the copy sent to the device's own phone. */
  ownCopy: boolean;
  /** Set for group messages. */
  group: string | undefined;
  timestamp: number;
}

/** Events the simulator emits (see {@link SimulatorEmitter}). */
export interface SimulatorEvents {
  connection: [{ connectionId: number }];
  registration: [{ connectionId: number; pushName: string | undefined }];
  paired: [PairedEvent];
  login: [{ deviceJid: string; connectionId: number }];
  /**
   * A device logged in while another connection of it was still open: for a moment two live
   * connections of one device (the simulator, like WhatsApp, ends the older one with
   * `conflict: replaced`). Two gateway nodes running one session show up here.
   */
  'login-replaced': [{ deviceJid: string; connectionId: number; replacedConnectionId: number }];
  'login-failed': [{ username: string; device: number; reason: string }];
  disconnect: [{ deviceJid: string | undefined; connectionId: number }];
  /** Dead-peer detection ended a connection that did not answer its last ping in time. */
  'peer-dropped': [{ deviceJid: string | undefined; connectionId: number }];
  message: [DeviceMessage];
  receipt: [{ from: string; to: string; ids: string[]; type: string | undefined }];
  /** The server refused a device's message with an error ack (a send fault, e.g. `463`). */
  'message-refused': [{ id: string; deviceJid: string; to: string; error: string }];
  /** A presence a device sent: `available`/`unavailable`, `subscribe` to a chat, or none (a name update). */
  presence: [{ deviceJid: string | undefined; type: string | undefined; to: string | undefined }];
  /** A typing indicator a device sent: `composing` (with `media: 'audio'` when recording) or `paused`. */
  chatstate: [
    { deviceJid: string | undefined; to: string | undefined; state: string; media: string | undefined },
  ];
  /** A device uploaded an app-state patch (archive, pin, mute, mark read, delete, push name…). */
  'app-state-patch': [{ deviceJid: string | undefined; collection: string; version: number }];
  'media-upload': [{ deviceJid: string | undefined; path: string; url: string; bytes: number }];
  iq: [
    {
      deviceJid: string | undefined;
      xmlns: string | undefined;
      type: string | undefined;
      child: string | undefined;
    },
  ];
  error: [Error];
}

/** A Node EventEmitter typed with {@link SimulatorEvents}. */
export class SimulatorEmitter extends EventEmitter {
  override on<K extends keyof SimulatorEvents>(
    event: K,
    listener: (...args: SimulatorEvents[K]) => void,
  ): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override once<K extends keyof SimulatorEvents>(
    event: K,
    listener: (...args: SimulatorEvents[K]) => void,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  override off<K extends keyof SimulatorEvents>(
    event: K,
    listener: (...args: SimulatorEvents[K]) => void,
  ): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  override emit<K extends keyof SimulatorEvents>(event: K, ...args: SimulatorEvents[K]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return super.emit(event, ...args);
  }
}
