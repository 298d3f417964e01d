/** True for a group chat JID (`…@g.us`). */
export const isGroupJid = (jid: string) => jid.endsWith('@g.us');

/** True for a LID (`…@lid`): a WhatsApp user known by a hidden id instead of a phone number. */
export const isLidJid = (jid: string) => jid.endsWith('@lid');

/**
 * The E.164 phone number of a user JID (`5511999990000@s.whatsapp.net`, device suffixes
 * allowed), or null for groups, LIDs, broadcasts and anything else.
 */
export function phoneOfJid(jid: string): string | null {
  const match = /^(\d{5,15})(?::\d+)?@(?:s\.whatsapp\.net|c\.us)$/.exec(jid);
  return match ? `+${match[1]}` : null;
}

/**
 * The other form of a Brazilian mobile number: Brazil added a ninth digit (9) to mobile
 * numbers, and WhatsApp still knows many accounts by the old eight-digit form. `+55 DD 9XXXX-XXXX`
 * ↔ `+55 DD XXXX-XXXX` (mobile numbers start with 6–9; landlines, 2–5, have no variant).
 * Null for anything else.
 */
export function brazilianVariant(e164: string): string | null {
  const match = /^\+55([1-9]\d)(\d+)$/.exec(e164);
  if (!match) return null;
  const [, ddd, subscriber] = match as unknown as [string, string, string];
  if (subscriber.length === 9 && subscriber.startsWith('9') && /[6-9]/.test(subscriber[1]!)) {
    return `+55${ddd}${subscriber.slice(1)}`;
  }
  if (subscriber.length === 8 && /[6-9]/.test(subscriber[0]!)) return `+55${ddd}9${subscriber}`;
  return null;
}

/** The numbers a contact may be known by in Chatwoot: the number, and its Brazilian variant when merging. */
export function phoneCandidates(e164: string, mergeBrazilContacts: boolean): string[] {
  const variant = mergeBrazilContacts ? brazilianVariant(e164) : null;
  return variant ? [e164, variant] : [e164];
}
