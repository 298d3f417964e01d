import { describe, expect, it } from 'vitest';
import { markdownToWhatsapp } from './markdown-to-whatsapp.js';
import { whatsappToMarkdown } from './whatsapp-to-markdown.js';

describe('whatsappToMarkdown', () => {
  it.each([
    ['*bold*', '**bold**'],
    ['_italic_', '_italic_'],
    ['~strike~', '~~strike~~'],
    ['*bold* and _italic_ and ~gone~', '**bold** and _italic_ and ~~gone~~'],
    ['*_both_*', '**_both_**'],
    ['Total: *R$ 10,00*.', 'Total: **R$ 10,00**.'],
    ['(*note*)', '(**note**)'],
    ['```mono```', '`mono`'],
    ['`code`', '`code`'],
    ['see ```\nline 1\nline 2```', 'see \n```\nline 1\nline 2\n```'],
    ['```*not bold*```', '`*not bold*`'],
    ['- one\n- two', '- one\n- two'],
    ['* one\n* two', '* one\n* two'],
    ['1. first\n2. second', '1. first\n2. second'],
    ['> quoted', '> quoted'],
  ])('%j → %j', (input, expected) => {
    expect(whatsappToMarkdown(input)).toBe(expected);
  });

  it('keeps what WhatsApp does not format literal', () => {
    expect(whatsappToMarkdown('2*3*4 = 24')).toBe('2\\*3\\*4 = 24');
    expect(whatsappToMarkdown('a * b')).toBe('a \\* b');
    expect(whatsappToMarkdown('* not closed')).toBe('* not closed');
    expect(whatsappToMarkdown('*spaced *')).toBe('\\*spaced \\*');
    expect(whatsappToMarkdown('*two\nlines*')).toBe('\\*two\nlines\\*');
    expect(whatsappToMarkdown('snake_case_name')).toBe('snake_case_name');
  });
});

describe('markdownToWhatsapp', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['__bold__', '*bold*'],
    ['*italic*', '_italic_'],
    ['_italic_', '_italic_'],
    ['~~strike~~', '~strike~'],
    ['**bold** and *italic*', '*bold* and _italic_'],
    ['`code`', '```code```'],
    ['```js\nconst a = 1;\n```', '```const a = 1;```'],
    ['```\n**raw**\n```', '```**raw**```'],
    ['# Title', '*Title*'],
    ['## Sub title ##', '*Sub title*'],
    ['[docs](https://x.io)', 'docs (https://x.io)'],
    ['[https://x.io](https://x.io)', 'https://x.io'],
    ['* one\n* two', '- one\n- two'],
    ['+ one', '- one'],
    ['- one', '- one'],
    ['1. first', '1. first'],
    ['> quoted', '> quoted'],
    ['price \\*not italic\\*', 'price *not italic*'],
    ['snake_case_name', 'snake_case_name'],
  ])('%j → %j', (input, expected) => {
    expect(markdownToWhatsapp(input)).toBe(expected);
  });
});

describe('round trips', () => {
  it.each([
    '*bold* _italic_ ~strike~',
    '```mono```',
    'Order *#123*: 2*3 items\n- one\n- two\n> note',
    'plain text with no formatting at all',
    '```code``` and *bold*',
  ])('WhatsApp → Markdown → WhatsApp keeps %j', (text) => {
    expect(markdownToWhatsapp(whatsappToMarkdown(text))).toBe(text);
  });
});
