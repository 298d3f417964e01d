import { GatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import { parseTemplate, renderTemplate, templateVariables } from './template.js';

const render = (source: string, variables: Record<string, string> = {}, seed = 'x') =>
  renderTemplate(parseTemplate(source), variables, seededRandom(seed));

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof GatewayError ? error.code : String(error);
  }
  return 'no error';
};

describe('templates', () => {
  it('fills variables and applies fallbacks for missing or empty values', () => {
    expect(render('Hi {{name}}, from {{ city | your town }}!', { name: 'Ana', city: 'Rio' })).toBe(
      'Hi Ana, from Rio!',
    );
    expect(render('Hi {{name|there}}', {})).toBe('Hi there');
    expect(render('Hi {{name|there}}', { name: '' })).toBe('Hi there');
    expect(render('Hi {{name}}.', {})).toBe('Hi .');
    expect(render('{{x|a|b}}', {})).toBe('a|b');
  });

  it('lists the variables used, in spins too', () => {
    expect(templateVariables(parseTemplate('{{b}} {Hi {{a}}|Yo {{c|d}}} {{b}}'))).toEqual(['a', 'b', 'c']);
  });

  it('never reads a variable value as template syntax', () => {
    expect(render('{{v}}', { v: '{a|b} {{name}}' })).toBe('{a|b} {{name}}');
  });

  it('picks spintax options, nested, and covers every option over many seeds', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(render('{Hi|{Hello|Hey} there}', {}, `seed${i}`));
    expect([...seen].sort()).toEqual(['Hello there', 'Hey there', 'Hi']);
  });

  it('renders the same text for the same seed', () => {
    const source = '{A|B|C}{1|2|3}{x|y|z}';
    expect(render(source, {}, 'c1:r9:0')).toBe(render(source, {}, 'c1:r9:0'));
  });

  it('keeps braces without options, stray closers and escapes as text', () => {
    expect(render('{ok} } a|b')).toBe('{ok} } a|b');
    expect(render('\\{Hi\\|Hello\\} \\\\ \\n')).toBe('{Hi|Hello} \\ \\n');
    expect(render('{a\\|b|a\\|b}')).toBe('a|b');
    expect(render('{{{name}}|{{name}}}', { name: 'Ann' })).toBe('Ann');
  });

  it('refuses unclosed groups and bad variable names', () => {
    expect(codeOf(() => parseTemplate('Hi {there'))).toBe('CAMPAIGNS_TEMPLATE_INVALID');
    expect(codeOf(() => parseTemplate('Hi {{name'))).toBe('CAMPAIGNS_TEMPLATE_INVALID');
    expect(codeOf(() => parseTemplate('Hi {{}}'))).toBe('CAMPAIGNS_TEMPLATE_INVALID');
    expect(codeOf(() => parseTemplate('Hi {{first name}}'))).toBe('CAMPAIGNS_TEMPLATE_INVALID');
    expect(codeOf(() => parseTemplate(`${'{a|'.repeat(40)}${'}'.repeat(40)}`))).toBe(
      'CAMPAIGNS_TEMPLATE_INVALID',
    );
  });
});
