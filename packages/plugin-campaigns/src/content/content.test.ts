import { GatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { assignVariant, compileContent, renderMessage } from './content.js';

const errorOf = (fn: () => unknown): GatewayError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
};

describe('campaign content', () => {
  it('refuses variables no recipient has, even with a fallback', () => {
    const error = errorOf(() =>
      compileContent({ variants: [{ text: 'Hi {{name}} {{nmae|friend}} {{phone}}' }] }, ['name']),
    );
    expect(error.code).toBe('CAMPAIGNS_UNKNOWN_VARIABLE');
    expect(error.statusCode).toBe(400);
    expect(error.details).toEqual({ unknown: ['nmae'], known: ['phone', 'name'] });
    const followUp = errorOf(() =>
      compileContent({ variants: [{ text: 'ok' }], followUp: { delayMs: 60_000, text: '{{coupon}}' } }, []),
    );
    expect(followUp.message).toContain('follow-up');
  });

  it('refuses variants without content, with two media sources, or audio with text', () => {
    const code = (content: Parameters<typeof compileContent>[0]) =>
      errorOf(() => compileContent(content, [])).code;
    expect(code({ variants: [{}] })).toBe('CAMPAIGNS_VARIANTS_INVALID');
    expect(
      code({
        variants: [
          {
            media: {
              type: 'image',
              url: 'https://example.com/a.png',
              uploadId: '5b0a3f7e-7c1e-4b5e-9a53-0f0d1f0b8e11',
            },
          },
        ],
      }),
    ).toBe('CAMPAIGNS_VARIANTS_INVALID');
    expect(
      code({ variants: [{ text: 'hi', media: { type: 'audio', url: 'https://example.com/a.ogg' } }] }),
    ).toBe('CAMPAIGNS_VARIANTS_INVALID');
    expect(
      code({
        variants: [
          { id: 'x', text: 'a' },
          { id: 'x', text: 'b' },
        ],
      }),
    ).toBe('CAMPAIGNS_VARIANTS_INVALID');
  });

  it('refuses split weights that are missing or do not add up to 100', () => {
    const split = (weights: Array<number | undefined>) =>
      compileContent(
        { variantMode: 'split', variants: weights.map((weight, i) => ({ text: `v${i}`, weight })) },
        [],
      );
    expect(errorOf(() => split([50, undefined])).message).toContain('needs a weight');
    expect(errorOf(() => split([50, 40])).message).toContain('add up to 90');
    expect(split([70, 30]).variants.map((v) => [v.id, v.weight])).toEqual([
      ['A', 70],
      ['B', 30],
    ]);
  });

  it('rotates variants in audience order', () => {
    const content = compileContent({ variants: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] }, []);
    expect([0, 1, 2, 3, 4].map((i) => assignVariant(content, i, `r${i}`).id)).toEqual([
      'A',
      'B',
      'C',
      'A',
      'B',
    ]);
  });

  it('splits by weight, stable per recipient', () => {
    const content = compileContent(
      {
        variantMode: 'split',
        variants: [
          { text: 'a', weight: 80 },
          { text: 'b', weight: 20 },
        ],
      },
      [],
    );
    const picks = Array.from({ length: 2000 }, (_, i) => assignVariant(content, i, `c1:+1555${i}`).id);
    const shareOfA = picks.filter((id) => id === 'A').length / picks.length;
    expect(shareOfA).toBeGreaterThan(0.76);
    expect(shareOfA).toBeLessThan(0.84);
    expect(assignVariant(content, 0, 'c1:+15550').id).toBe(picks[0]);
  });

  it('renders text with variables, builtins and spintax; media alone has none', () => {
    const content = compileContent(
      {
        variants: [
          { text: '{Hi|Hello} {{name|there}}, this is for {{phone}}' },
          { media: { type: 'image', url: 'https://example.com/a.png' } },
        ],
      },
      ['name'],
    );
    const text = renderMessage(content.variants[0]!, { name: 'Ana', phone: '+14155552671' }, 's');
    expect(text).toMatch(/^(Hi|Hello) Ana, this is for \+14155552671$/);
    expect(renderMessage(content.variants[1]!, {}, 's')).toBeNull();
  });
});
