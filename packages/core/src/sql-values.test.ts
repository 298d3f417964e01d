import { describe, expect, it } from 'vitest';
import { json } from './sql-values.js';

describe('json(): the jsonb parameter', () => {
  it('turns lone surrogates, in values and in keys, into U+FFFD', () => {
    const text = json({ text: 'a\ud800b', [`k\udc00`]: ['\udbff', 'x\ud800\ud800'] });
    expect(text).not.toMatch(/\\ud[89a-f]/);
    expect(JSON.parse(text)).toEqual({ text: 'a\ufffdb', 'k\ufffd': ['\ufffd', 'x\ufffd\ufffd'] });
  });

  it('keeps paired surrogates, and text that only looks like an escape, as they are', () => {
    const value = { emoji: '😀', typed: '\\ud800', both: '\\\ud800', key: { '\\udc00': 1 } };
    expect(JSON.parse(json(value))).toEqual({ ...value, both: '\\\ufffd' });
    expect(json([1, 'plain'])).toBe('[1,"plain"]');
  });
});
