import { replaceSpans, splitCode } from './code-spans.js';

const BOLD = '\uE000';
const ITALIC = '\uE001';
// An escaped character (\*) is kept out of the span rules as a private-use stand-in.
const escaped = (char: string) => String.fromCharCode(0xe100 + char.charCodeAt(0));

function prose(text: string): string {
  let out = text
    .replace(/\\([\\`*_{}[\]()#+\-.!~>|])/g, (_all, char: string) => escaped(char))
    // [label](url): WhatsApp shows links as they are
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_all, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    )
    // headings become bold lines
    .replace(/^[ \t]*#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm, (_all, title: string) => `${BOLD}${title}${BOLD}`)
    // "* item" and "+ item" bullets become "- item" (WhatsApp would read "*" as bold)
    .replace(/^([ \t]*)[*+][ \t]+/gm, '$1- ');
  out = replaceSpans(out, '**', (inner) => `${BOLD}${inner}${BOLD}`);
  out = replaceSpans(out, '__', (inner) => `${BOLD}${inner}${BOLD}`);
  out = replaceSpans(out, '*', (inner) => `${ITALIC}${inner}${ITALIC}`);
  out = replaceSpans(out, '_', (inner) => `${ITALIC}${inner}${ITALIC}`);
  out = replaceSpans(out, '~~', (inner) => `~${inner}~`);
  out = out.replace(/[\uE100-\uE17F]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xe100));
  return out.replaceAll(BOLD, '*').replaceAll(ITALIC, '_');
}

/**
 * The Markdown agents write in Chatwoot to WhatsApp formatting: `**bold**`/`__bold__` →
 * `*bold*`, `*italic*`/`_italic_` → `_italic_`, `~~strike~~` → `~strike~`, code blocks and
 * `` `code` `` → ```` ```monospace``` ````, Markdown escapes (`\*`) → the character, `# headings` → bold lines, `[label](url)` →
 * `label (url)`, `*`/`+` bullets → `-` bullets, backslash escapes dropped.
 *
 * @example
 * markdownToWhatsapp('**Hi** [docs](https://x.io)') // '*Hi* docs (https://x.io)'
 */
export function markdownToWhatsapp(text: string): string {
  return splitCode(text)
    .map((piece) => {
      if (!piece.code) return prose(piece.text);
      // inline code too: older WhatsApp apps show single backticks literally
      if (!piece.block) return `\`\`\`${piece.text}\`\`\``;
      return `\`\`\`${piece.text.replace(/\n$/, '')}\`\`\``;
    })
    .join('');
}
