import { Type } from '@sinclair/typebox';
import { GatewayError } from '../errors.js';

const phonePattern = /^\+?[0-9][0-9 ().-]{4,24}$/;
/** `user[_agent][:device]` of a user JID: the agent and device are dropped. */
const userPattern = /^([0-9]+)(?:_[0-9]+)?(?::[0-9]+)?$/;

/** Digits of a user part, or null when it is not one of `min`–`max` digits. */
function userDigits(user: string, min: number, max: number): string | null {
  const digits = userPattern.exec(user)?.[1];
  return digits && digits.length >= min && digits.length <= max ? digits : null;
}

/**
 * A chat, contact or group id in any accepted form, normalised, or `null` when it is none:
 * a phone number (`+1 555 000 2222` → `15550002222@s.whatsapp.net`), a phone JID (device and
 * agent dropped, `c.us` → `s.whatsapp.net`), a LID (`…@lid`), a group (`…@g.us`),
 * `status@broadcast` or a broadcast list, or a channel (`…@newsletter`). Anything else
 * (`__proto__`, `constructor`, stray text) is refused here, before it can reach storage,
 * Baileys or a plain-object key.
 *
 * @example
 * toChatJid('+1 (555) 000-2222'); // '15550002222@s.whatsapp.net'
 * toChatJid('__proto__'); // null
 */
export function toChatJid(value: string): string | null {
  const text = value.trim();
  const at = text.indexOf('@');
  if (at < 0) {
    if (!phonePattern.test(text)) return null;
    const digits = text.replace(/\D/g, '');
    return digits.length >= 5 && digits.length <= 20 ? `${digits}@s.whatsapp.net` : null;
  }
  const user = text.slice(0, at);
  const server = text.slice(at + 1);
  switch (server) {
    case 's.whatsapp.net':
    case 'c.us': {
      const digits = userDigits(user, 5, 20);
      return digits ? `${digits}@s.whatsapp.net` : null;
    }
    case 'lid': {
      const digits = userDigits(user, 5, 25);
      return digits ? `${digits}@lid` : null;
    }
    case 'g.us':
      return /^[0-9]{5,20}(-[0-9]{5,20})?$/.test(user) ? text : null;
    case 'broadcast':
      return user === 'status' || /^[0-9]{5,20}$/.test(user) ? text : null;
    case 'newsletter':
      return /^[0-9]{5,25}$/.test(user) ? text : null;
    default:
      return null;
  }
}

/** {@link toChatJid}, throwing `INVALID_JID` (400) for a value that is no chat id. */
export function requireChatJid(value: string, what = 'chat id'): string {
  const jid = toChatJid(value);
  if (!jid) {
    throw new GatewayError(
      'INVALID_JID',
      `${JSON.stringify(value.slice(0, 64))} is not a valid ${what}: use a phone number or a WhatsApp JID (…@s.whatsapp.net, …@lid, …@g.us)`,
    );
  }
  return jid;
}

/** A group JID (`…@g.us`), or `INVALID_JID` (400). */
export function requireGroupJid(value: string): string {
  const jid = requireChatJid(value, 'group id');
  if (!jid.endsWith('@g.us'))
    throw new GatewayError('INVALID_JID', `"${value.slice(0, 64)}" is not a group JID (…@g.us)`);
  return jid;
}

/** Pattern of every form {@link toChatJid} may accept (it checks lengths and normalises). */
export const chatIdPattern =
  '^(\\+?[0-9][0-9 ().-]{4,24}|[0-9]+(_[0-9]+)?(:[0-9]+)?@(s\\.whatsapp\\.net|c\\.us|lid)|[0-9]+(-[0-9]+)?@g\\.us|(status|[0-9]+)@broadcast|[0-9]+@newsletter)$';

/** A chat, contact or group id as a request field: a phone number, a JID or a LID. */
export const ChatId = (
  description = 'Chat: a phone number (`15550002222`), a JID (`…@s.whatsapp.net`, `…@g.us`) or a LID (`…@lid`)',
) => Type.String({ minLength: 5, maxLength: 128, pattern: chatIdPattern, description });
