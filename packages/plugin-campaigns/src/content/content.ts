import { campaignsError } from '../error-codes.js';
import { seededRandom } from './random.js';
import type { CampaignContent, CampaignMedia } from './schemas.js';
import { parseTemplate, renderTemplate, type TemplateNode, templateVariables } from './template.js';

/** Variables every recipient has without an audience column. */
export const builtinVariables: readonly string[] = ['phone'];

/** A message ready to render: its parsed template and media. */
export interface CompiledMessage {
  template: TemplateNode[] | null;
  media: CampaignMedia | null;
}

/** A variant with its id and weight settled. */
export interface CompiledVariant extends CompiledMessage {
  id: string;
  weight: number;
}

/** Content checked and parsed once, at creation or edit. */
export interface CompiledContent {
  mode: 'rotate' | 'split';
  variants: CompiledVariant[];
  followUp: (CompiledMessage & { delayMs: number }) | null;
}

function compileMessage(
  where: string,
  text: string | undefined,
  media: CampaignMedia | undefined,
  known: ReadonlySet<string>,
): CompiledMessage {
  if (!text && !media)
    throw campaignsError('CAMPAIGNS_VARIANTS_INVALID', `${where} has neither text nor media`);
  if (media && !media.url === !media.uploadId)
    throw campaignsError(
      'CAMPAIGNS_VARIANTS_INVALID',
      `${where}: media needs exactly one of url or uploadId`,
    );
  if (media?.type === 'audio' && text)
    throw campaignsError('CAMPAIGNS_VARIANTS_INVALID', `${where}: audio cannot carry a text (no caption)`);
  const template = text ? parseTemplate(text) : null;
  const unknown = template ? templateVariables(template).filter((name) => !known.has(name)) : [];
  if (unknown.length > 0)
    throw campaignsError(
      'CAMPAIGNS_UNKNOWN_VARIABLE',
      `${where} uses ${unknown.map((n) => `{{${n}}}`).join(', ')}, which no recipient has (known: ${[...known].join(', ')})`,
      { unknown, known: [...known] },
    );
  return { template, media: media ?? null };
}

/**
 * Checks and parses a campaign's content against the variables its audience provides
 * (plus {@link builtinVariables}): malformed templates, unknown variables (with or without a
 * fallback: a typo would otherwise always send the fallback), variants without content,
 * duplicate ids and split weights that do not add up to 100 are refused with a 400.
 */
export function compileContent(
  content: CampaignContent,
  audienceVariables: readonly string[],
): CompiledContent {
  const known = new Set([...builtinVariables, ...audienceVariables]);
  const mode = content.variantMode ?? 'rotate';
  const ids = new Set<string>();
  const variants = content.variants.map((variant, index) => {
    const id = variant.id ?? String.fromCharCode(65 + index);
    if (ids.has(id)) throw campaignsError('CAMPAIGNS_VARIANTS_INVALID', `Variant id "${id}" is used twice`);
    ids.add(id);
    if (mode === 'split' && variant.weight === undefined)
      throw campaignsError('CAMPAIGNS_VARIANTS_INVALID', `Variant ${id} needs a weight in split mode`);
    return {
      id,
      weight: variant.weight ?? 0,
      ...compileMessage(`Variant ${id}`, variant.text, variant.media, known),
    };
  });
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  if (mode === 'split' && total !== 100)
    throw campaignsError('CAMPAIGNS_VARIANTS_INVALID', `Split weights add up to ${total}, not 100`);
  const followUp = content.followUp
    ? {
        delayMs: content.followUp.delayMs,
        ...compileMessage('The follow-up', content.followUp.text, content.followUp.media, known),
      }
    : null;
  return { mode, variants, followUp };
}

/**
 * The variant of the `index`-th recipient (0-based, in audience order): in turn for
 * `rotate`; for `split`, drawn by weight from a number seeded by `seed` (campaign and phone),
 * so it never changes for that recipient.
 */
export function assignVariant(content: CompiledContent, index: number, seed: string): CompiledVariant {
  const { variants } = content;
  if (content.mode === 'rotate') return variants[index % variants.length]!;
  let point = seededRandom(`${seed}:variant`)() * 100;
  for (const variant of variants) {
    point -= variant.weight;
    if (point < 0) return variant;
  }
  return variants[variants.length - 1]!;
}

/** The text of a message for a recipient (null for media without caption). */
export function renderMessage(
  message: CompiledMessage,
  variables: Readonly<Record<string, string>>,
  seed: string,
): string | null {
  return message.template ? renderTemplate(message.template, variables, seededRandom(seed)) : null;
}
