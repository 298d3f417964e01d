import { replaceSpans, splitCode } from './code-spans.js';

// Private-use characters stand for the Markdown being built, so the escaping pass below
// cannot mistake it for the user's own asterisks.
const BOLD = '\uE000';

function prose(text: string): string {
  let out = replaceSpans(text, '*', (inner) => `${BOLD}${inner}${BOLD}`);
  out = replaceSpans(out, '~', (inner) => `~~${inner}~~`);
  // A lone asterisk is literal on WhatsApp ("2*3", "a*b*c") but could start emphasis in
  // Markdown; bullets ("* item") mean the same in both.
  out = out.replace(/(^[ \t]*\*[ \t])|\*/gm, (all, bullet: string | undefined) => bullet ?? `\\${all}`);
  return out.replaceAll(BOLD, '**');
}

/**
 * WhatsApp formatting to the Markdown Chatwoot renders: `*bold*` → `**bold**`, `_italic_`
 * stays, `~strike~` → `~~strike~~`, ```` ```monospace``` ```` → a code block (or `code` when on
 * one line), `` `code` ``, lists and `> quotes` stay. Text inside code is never touched.
 *
 * @example
 * whatsappToMarkdown('*Order* ~3~ 4 items') // '**Order** ~~3~~ 4 items'
 */
export function whatsappToMarkdown(text: string): string {
  return splitCode(text)
    .map((piece, index, pieces) => {
      if (!piece.code) return prose(piece.text);
      if (!piece.block) return `\`${piece.text}\``;
      if (!piece.text.includes('\n')) return `\`${piece.text}\``;
      const before = pieces[index - 1];
      const lead = index > 0 && before && !before.text.endsWith('\n') ? '\n' : '';
      return `${lead}\`\`\`\n${piece.text.replace(/^\n+|\n+$/g, '')}\n\`\`\``;
    })
    .join('');
}
