import type { Account, Companion, Registry } from '../registry.js';

/**
 * WhatsApp's reach-out time-lock (Baileys `MessageAccountRestriction`): an account under it
 * gets `ack error="463"` for 1:1 messages to anyone it has no chat with yet, while its
 * established chats keep working.
 */
export const reachOutRestrictedError = '463';

/** Per-account and per-device send faults, kept on the registry's objects. */
export interface SendFaultState {
  /** Accounts under the reach-out restriction. */
  reachOutRestricted?: boolean;
  /** Phone jids the account has exchanged a 1:1 message with (either way). */
  chattedWith?: Set<string>;
}

type FaultyAccount = Account & SendFaultState;
type FaultyCompanion = Companion & { sendError?: string };

/** Records that `account` and the peer `peerJid` (phone jid) have a chat. */
export const recordChat = (account: Account, peerJid: string): void => {
  const faulty = account as FaultyAccount;
  faulty.chattedWith ??= new Set();
  faulty.chattedWith.add(peerJid);
};

/** Puts an account under (or lifts) the reach-out restriction. */
export const setReachOutRestricted = (account: Account, restricted: boolean): void => {
  (account as FaultyAccount).reachOutRestricted = restricted;
};

/** Makes every message a device sends fail with `error` (an ack error code), or stops it with null. */
export const setSendError = (companion: Companion, error: string | null): void => {
  (companion as FaultyCompanion).sendError = error ?? undefined;
};

/**
 * The error code the server answers a device's message to `to` with, or undefined when it
 * is accepted: a device-wide send error first, then the reach-out restriction for a 1:1
 * message to a peer the account never chatted with.
 */
export const sendRefusal = (registry: Registry, companion: Companion, to: string): string | undefined => {
  const deviceError = (companion as FaultyCompanion).sendError;
  if (deviceError) return deviceError;
  const account = companion.account as FaultyAccount;
  if (!account.reachOutRestricted || to.endsWith('@g.us')) return undefined;
  const peer = registry.peer(to);
  if (!peer || peer === account) return undefined;
  return account.chattedWith?.has(peer.jid) ? undefined : reachOutRestrictedError;
};
