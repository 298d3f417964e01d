/** Keywords that opt a recipient out by default (English, Portuguese, Spanish). */
export const defaultOptOutKeywords: readonly string[] = ['STOP', 'SAIR', 'PARAR', 'BAJA', 'UNSUBSCRIBE'];

/** Lower case, accents removed, punctuation and emoji as spaces, spaces collapsed. */
export function normaliseKeyword(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * True when a reply is an opt-out: the whole message, ignoring case, accents, punctuation
 * and emoji, is one of the keywords (`Stop!`, `sáir`, ` PARAR. `). A sentence that merely
 * contains a keyword (`vou sair mais tarde`) is not.
 */
export function isOptOut(text: string, keywords: readonly string[]): boolean {
  const reply = normaliseKeyword(text);
  return reply.length > 0 && keywords.some((keyword) => normaliseKeyword(keyword) === reply);
}
