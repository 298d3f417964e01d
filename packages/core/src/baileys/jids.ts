import { isJidGroup, jidDecode, jidNormalizedUser } from '@whiskeysockets/baileys';

const phonePattern = /^\+?[0-9][0-9 ().-]{4,24}$/;

/**
 * A recipient (phone number or JID) as a normalised JID, or `null` when it is neither.
 * Phone numbers become `<digits>@s.whatsapp.net`; JIDs keep their server (`g.us`, `lid`, …).
 */
export function toJid(recipient: string): string | null {
  const value = recipient.trim();
  if (value.includes('@')) {
    const decoded = jidDecode(value);
    if (!decoded?.user || !decoded.server) return null;
    if (!['s.whatsapp.net', 'g.us', 'lid', 'broadcast', 'newsletter', 'c.us'].includes(decoded.server))
      return null;
    if (decoded.server === 's.whatsapp.net' || decoded.server === 'c.us') {
      if (!/^[0-9]{5,20}$/.test(decoded.user)) return null;
    }
    return isJidGroup(value) ? value : jidNormalizedUser(value);
  }
  if (!phonePattern.test(value)) return null;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 5 && digits.length <= 20 ? `${digits}@s.whatsapp.net` : null;
}

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
