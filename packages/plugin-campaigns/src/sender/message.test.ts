import { describe, expect, it } from 'vitest';
import { compileContent } from '../content/content.js';
import { renderSend, sendKey } from './message.js';

const recipient = {
  campaignId: '0b7e4c1e-0000-4000-8000-000000000001',
  phone: '+5511987654321',
  variables: { name: 'Ana' },
  variantId: 'A',
};

describe('renderSend', () => {
  const content = compileContent(
    {
      variants: [
        { text: '{Hi|Hello} {{name|there}}, your number is {{phone}}' },
        { text: 'Photo for {{name}}', media: { type: 'image', url: 'https://example.com/a.jpg' } },
      ],
      followUp: {
        delayMs: 60_000,
        media: { type: 'document', uploadId: '5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11', fileName: 'menu.pdf' },
      },
    },
    ['name'],
  );

  it('renders variables and spintax, the same on every repeat of a send', () => {
    const first = renderSend(content, recipient, 0)!;
    expect(first.body).toMatchObject({ type: 'text', to: '5511987654321' });
    const text = (first.body as { text: string }).text;
    expect(text).toMatch(/^(Hi|Hello) Ana, your number is \+5511987654321$/);
    expect(renderSend(content, recipient, 0)).toEqual(first);
    expect(first.textLength).toBe(text.length);
    expect(first.uploadId).toBeNull();
  });

  it('sends media by URL with the text as caption, and uploads by reference', () => {
    expect(renderSend(content, { ...recipient, variantId: 'B' }, 0)).toEqual({
      body: {
        type: 'image',
        to: '5511987654321',
        media: { url: 'https://example.com/a.jpg' },
        caption: 'Photo for Ana',
      },
      textLength: 13,
      uploadId: null,
    });
    expect(renderSend(content, recipient, 1)).toEqual({
      body: {
        type: 'document',
        to: '5511987654321',
        media: { url: 'campaign-upload:5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11' },
        fileName: 'menu.pdf',
      },
      textLength: 0,
      uploadId: '5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11',
    });
  });

  it('has nothing for a follow-up the campaign does not have; keys differ by step', () => {
    const plain = compileContent({ variants: [{ text: 'x' }] }, []);
    expect(renderSend(plain, { ...recipient, variantId: 'A' }, 1)).toBeNull();
    expect(sendKey('c', 3, 0)).not.toBe(sendKey('c', 3, 1));
  });
});
