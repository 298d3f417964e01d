import { jidDecode, jidNormalizedUser } from '@whiskeysockets/baileys';
import { toChatJid } from '../contracts/jid.js';

/**
 * A recipient (phone number or JID) as a normalised JID, or `null` when it is neither: core's
 * one normaliser ({@link toChatJid}), so sends, chat actions and lookups accept the same forms.
 */
export const toJid = toChatJid;

/** The phone number of a phone-number JID (`155…@s.whatsapp.net` → `155…`), else `null`. */
export function phoneOf(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const decoded = jidDecode(jid);
  return decoded?.server === 's.whatsapp.net' ? decoded.user : null;
}

/** Prefers the phone-number form of a JID pair (v7 keys carry the LID and its alternative). */
export function preferPn(jid: string | null | undefined, alt: string | null | undefined): string | null {
  const candidates = [jid, alt].filter((j): j is string => !!j).map((j) => jidNormalizedUser(j));
  return candidates.find((j) => j.endsWith('@s.whatsapp.net')) ?? candidates[0] ?? null;
}
