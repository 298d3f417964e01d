import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Connection } from '../../ports/connector.js';
import type { Store } from '../../ports/store.js';

/** How long a number found on WhatsApp is remembered. */
const foundTtlMs = 24 * 60 * 60 * 1000;
/** How long a number not on WhatsApp is remembered (it may register soon). */
const missingTtlMs = 10 * 60 * 1000;
/** Numbers remembered at most, over all sessions (the oldest answers are forgotten first). */
const maxEntries = 10_000;

/**
 * Refuses a send to a phone number that is not on WhatsApp with `404 NOT_ON_WHATSAPP`
 * (WhatsApp itself accepts such a message and it would stay `sent` forever). Checked before
 * the first send to a chat that is not stored yet, the answer cached per session; a chat the
 * session already has is trusted. `checkNumber: true` checks every send, `false` never.
 */
export interface RecipientCheck {
  check(
    connection: Connection,
    sessionId: string,
    jid: string,
    checkNumber: boolean | undefined,
  ): Promise<void>;
}

export function createRecipientCheck(store: Store, logger: Logger): RecipientCheck {
  const answers = new Map<string, { exists: boolean; expiresAt: number }>();
  const remember = (key: string, exists: boolean) => {
    answers.delete(key);
    answers.set(key, { exists, expiresAt: Date.now() + (exists ? foundTtlMs : missingTtlMs) });
    if (answers.size > maxEntries) answers.delete(answers.keys().next().value as string);
  };
  return {
    async check(connection, sessionId, jid, checkNumber) {
      // only phone-number chats can be "not on WhatsApp"; groups, LIDs and broadcasts cannot
      if (checkNumber === false || !jid.endsWith('@s.whatsapp.net')) return;
      const key = `${sessionId} ${jid}`;
      if (checkNumber !== true) {
        const cached = answers.get(key);
        if (cached && cached.expiresAt > Date.now()) {
          if (cached.exists) return;
          throw notOnWhatsApp(jid);
        }
        if (await store.chats.get(sessionId, jid)) return remember(key, true);
      }
      let exists: boolean;
      try {
        const [result] = await connection.checkNumbers([jid.split('@')[0] as string]);
        exists = result?.exists === true;
      } catch (error) {
        if (checkNumber === true) throw error;
        // an unanswered check does not hold up the send: it goes out as before
        logger.warn(
          { err: error, sessionId },
          'could not check the recipient is on WhatsApp; sending anyway',
        );
        return;
      }
      remember(key, exists);
      if (!exists) throw notOnWhatsApp(jid);
    },
  };
}

const notOnWhatsApp = (jid: string) =>
  new GatewayError('NOT_ON_WHATSAPP', `${jid.split('@')[0]} is not on WhatsApp`);
