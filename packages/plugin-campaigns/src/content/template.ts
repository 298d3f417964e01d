import { variableNamePattern } from '../audience/variables.js';
import { campaignsError } from '../error-codes.js';

/** A parsed template: text, variables and spintax groups. */
export type TemplateNode =
  | { kind: 'text'; value: string }
  | { kind: 'variable'; name: string; fallback: string | undefined }
  | { kind: 'spin'; options: TemplateNode[][] };

const maxDepth = 16;

/**
 * Parses a message template. Syntax:
 * - `{{name}}` — the recipient's variable `name`; `{{name|there}}` — with a fallback used when
 *   the recipient has no (or an empty) value. Spaces inside the braces are ignored.
 * - `{Hi|Hello|Hey}` — spintax: one option picked per recipient; options nest
 *   (`{Hi|{Hello|Hey} there}`) and may hold variables. Braces without a `|` inside stay as
 *   written (`{ok}`).
 * - `\{`, `\}`, `\|`, `\\` — the character itself.
 * An unclosed `{` or `{{`, an empty or malformed variable name are refused
 * (`CAMPAIGNS_TEMPLATE_INVALID`).
 */
export function parseTemplate(source: string): TemplateNode[] {
  const parser = new Parser(source);
  const nodes = parser.sequence(0);
  return nodes;
}

class Parser {
  private at = 0;
  constructor(private readonly source: string) {}

  /** Nodes up to the end, or (inside a group) up to the next `|` or `}`. */
  sequence(depth: number): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', value: text });
      text = '';
    };
    while (this.at < this.source.length) {
      const char = this.source[this.at]!;
      if (char === '\\' && '{}|\\'.includes(this.source[this.at + 1] ?? '')) {
        text += this.source[this.at + 1];
        this.at += 2;
      } else if (this.source.startsWith('{{', this.at) && !this.source.startsWith('{{{', this.at)) {
        flush();
        nodes.push(this.variable());
      } else if (char === '{') {
        flush();
        nodes.push(...this.group(depth + 1));
      } else if (depth > 0 && (char === '|' || char === '}')) {
        break;
      } else {
        text += char;
        this.at += 1;
      }
    }
    flush();
    return nodes;
  }

  private variable(): TemplateNode {
    const start = this.at;
    const end = this.source.indexOf('}}', start + 2);
    if (end < 0) throw this.invalid(`"{{" at position ${start} is never closed with "}}"`);
    const inner = this.source.slice(start + 2, end);
    const pipe = inner.indexOf('|');
    const name = (pipe < 0 ? inner : inner.slice(0, pipe)).trim();
    if (!variableNamePattern.test(name))
      throw this.invalid(`"{{${inner}}}" at position ${start} does not name a variable`);
    this.at = end + 2;
    return { kind: 'variable', name, fallback: pipe < 0 ? undefined : inner.slice(pipe + 1).trim() };
  }

  /** A `{…}` group: a spin when it has a `|`, else its content between literal braces. */
  private group(depth: number): TemplateNode[] {
    const start = this.at;
    if (depth > maxDepth) throw this.invalid(`spintax nests deeper than ${maxDepth} levels`);
    this.at += 1;
    const options: TemplateNode[][] = [this.sequence(depth)];
    while (this.source[this.at] === '|') {
      this.at += 1;
      options.push(this.sequence(depth));
    }
    if (this.source[this.at] !== '}') throw this.invalid(`"{" at position ${start} is never closed`);
    this.at += 1;
    if (options.length > 1) return [{ kind: 'spin', options }];
    return [{ kind: 'text', value: '{' }, ...options[0]!, { kind: 'text', value: '}' }];
  }

  private invalid(message: string) {
    return campaignsError('CAMPAIGNS_TEMPLATE_INVALID', `Template: ${message}`);
  }
}

/** Every variable a template uses (sorted, once each). */
export function templateVariables(nodes: readonly TemplateNode[]): string[] {
  const names = new Set<string>();
  const walk = (list: readonly TemplateNode[]) => {
    for (const node of list) {
      if (node.kind === 'variable') names.add(node.name);
      else if (node.kind === 'spin') for (const option of node.options) walk(option);
    }
  };
  walk(nodes);
  return [...names].sort();
}

/**
 * Renders a template for one recipient: picks spintax options with `random` (give a seeded
 * one so a retry renders the same text) and fills variables, which are inserted as they are
 * (a value containing braces is never read as spintax).
 */
export function renderTemplate(
  nodes: readonly TemplateNode[],
  variables: Readonly<Record<string, string>>,
  random: () => number,
): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.value;
    else if (node.kind === 'variable') {
      const value = Object.hasOwn(variables, node.name) ? variables[node.name] : undefined;
      out += value ? value : (node.fallback ?? '');
    } else {
      const option =
        node.options[Math.min(node.options.length - 1, Math.floor(random() * node.options.length))]!;
      out += renderTemplate(option, variables, random);
    }
  }
  return out;
}
