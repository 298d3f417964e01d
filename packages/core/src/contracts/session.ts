import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/**
 * Where a session stands. `disconnected` (no socket, by choice) → `connecting` → `qr` (waiting
 * for a scan or pairing code) → `connected`; drops go back to `connecting` with backoff;
 * `logged_out` (unlinked from the phone, creds wiped) and `failed` (gave up, see
 * `statusReason`) need a user action.
 */
export const SessionStatus = Type.Union(
  [
    Type.Literal('disconnected'),
    Type.Literal('connecting'),
    Type.Literal('qr'),
    Type.Literal('connected'),
    Type.Literal('logged_out'),
    Type.Literal('failed'),
  ],
  { description: 'Lifecycle state of a session' },
);
export type SessionStatus = Static<typeof SessionStatus>;

/** Per-session behaviour switches. */
export const SessionSettings = Type.Object({
  rejectCalls: Type.Boolean({ default: false, description: 'Reject incoming calls' }),
  rejectCallMessage: Type.Optional(
    Type.String({ maxLength: 1024, description: 'Text sent to a caller whose call was rejected' }),
  ),
  alwaysOnline: Type.Boolean({ default: false, description: 'Keep presence "available" while connected' }),
  markRead: Type.Boolean({ default: false, description: 'Send read receipts for every inbound message' }),
  ignoreGroups: Type.Boolean({ default: false, description: 'Drop group messages' }),
  ignoreStatus: Type.Boolean({ default: true, description: 'Drop status broadcasts (stories)' }),
  syncHistory: Type.Boolean({ default: false, description: 'Store the full history sent at pairing' }),
});
export type SessionSettings = Static<typeof SessionSettings>;

/** The settings a new session gets. */
export const defaultSessionSettings: SessionSettings = Object.freeze({
  rejectCalls: false,
  alwaysOnline: false,
  markRead: false,
  ignoreGroups: false,
  ignoreStatus: true,
  syncHistory: false,
});

/** The last QR code of a session waiting to be paired. */
export const SessionQr = Type.Object({
  value: Type.String({ description: 'The QR payload, to render as a QR code' }),
  expiresAt: Timestamp,
});
export type SessionQr = Static<typeof SessionQr>;

/** A WhatsApp account linked (or to be linked) as a companion device. */
export const Session = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
  status: SessionStatus,
  statusReason: Nullable(Type.String({ description: 'Why the session is in its status' })),
  deviceJid: Nullable(Type.String({ description: 'This companion device JID once paired' })),
  phoneNumber: Nullable(Type.String({ description: 'The account phone number (digits only)' })),
  pushName: Nullable(Type.String()),
  proxyUrl: Nullable(Type.String({ description: 'HTTP(S) or SOCKS proxy for this session' })),
  settings: SessionSettings,
  qr: Nullable(SessionQr),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Session = Static<typeof Session>;

/** Settings as given: any subset of the known switches; an unknown key is refused (400). */
const SettingsInput = Type.Partial(SessionSettings, { additionalProperties: false });

/** What it takes to create a session. */
export const NewSession = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
  proxyUrl: Type.Optional(Nullable(Type.String({ format: 'uri' }))),
  settings: Type.Optional(SettingsInput),
});
export type NewSession = Static<typeof NewSession>;

/** A partial update of a session's user-editable fields. */
export const SessionPatch = Type.Partial(
  Type.Object({
    name: NewSession.properties.name,
    proxyUrl: Nullable(Type.String({ format: 'uri' })),
    settings: SettingsInput,
  }),
);
export type SessionPatch = Static<typeof SessionPatch>;
