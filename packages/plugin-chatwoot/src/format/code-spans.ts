/** A piece of text: prose, where formatting is converted, or code, which is left as it is. */
export type Piece = { code: false; text: string } | { code: true; text: string; block: boolean };

/**
 * Splits text into prose and code: ```fenced or triple-backtick``` blocks (WhatsApp's
 * monospace, Markdown's code blocks) and `inline code` spans. `fence` is what opens a block:
 * Markdown fences may carry a language tag, which is dropped.
 */
export function splitCode(text: string): Piece[] {
  const pieces: Piece[] = [];
  const pattern = /```(?:[\w+-]*\n)?([\s\S]*?)```|`([^`\n]+)`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > last) pieces.push({ code: false, text: text.slice(last, at) });
    if (match[1] !== undefined) pieces.push({ code: true, text: match[1], block: true });
    else pieces.push({ code: true, text: match[2]!, block: false });
    last = at + match[0].length;
  }
  if (last < text.length) pieces.push({ code: false, text: text.slice(last) });
  return pieces;
}

/**
 * Replaces `marker…marker` spans the way WhatsApp reads them: the opening marker at the start
 * or after a space or punctuation, the text not starting or ending with a space, no line
 * break inside, the closing marker followed by the end, a space or punctuation.
 */
export function replaceSpans(text: string, marker: string, replace: (inner: string) => string): string {
  const m = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(
    `(^|[^\\p{L}\\p{N}${m}])${m}(?=\\S)([^\\n]*?\\S)${m}(?![\\p{L}\\p{N}${m}])`,
    'gu',
  );
  return text.replace(pattern, (_all, before: string, inner: string) => before + replace(inner));
}
