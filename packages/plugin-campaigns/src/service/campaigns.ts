import { randomUUID } from 'node:crypto';
import type { Audience } from '../audience/audience.js';
import { assignVariant } from '../content/content.js';
import type { CampaignContent } from '../content/schemas.js';
import { campaignsError } from '../error-codes.js';
import {
  type CampaignFields,
  type CampaignRecord,
  type CampaignStatus,
  campaignsRepo,
} from '../repo/campaigns.js';
import { recipientsRepo } from '../repo/recipients.js';
import { uploadsRepo } from '../repo/uploads.js';
import type { CreateCampaignBody, UpdateCampaignBody } from '../routes/schemas.js';
import { type CampaignsContext, inTx, type Tx } from '../runtime.js';
import { prepare, readAudience } from './prepare.js';

/** Loads a campaign or throws `CAMPAIGNS_NOT_FOUND`. */
export async function requireCampaign(
  tx: Pick<Tx, 'sql'>,
  id: string,
  lock = false,
): Promise<CampaignRecord> {
  const campaign = await campaignsRepo.get(tx.sql, id, { lock });
  if (!campaign) throw campaignsError('CAMPAIGNS_NOT_FOUND', `No campaign ${id}`);
  return campaign;
}

async function checkSessions(ctx: CampaignsContext, sessionIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(sessionIds)];
  for (const id of unique) await ctx.gateway.sessions.get(id); // SESSION_NOT_FOUND (404) when unknown
  return unique;
}

const recipientsOf = (
  campaignId: string,
  audience: Audience,
  content: ReturnType<typeof prepare>['content'],
) =>
  audience.recipients.map((recipient, index) => ({
    phone: recipient.phone,
    variables: recipient.variables,
    variantId: assignVariant(content, index, `${campaignId}:${recipient.phone}`).id,
  }));

/** Refuses content whose media names an upload that does not exist (`CAMPAIGNS_UPLOAD_NOT_FOUND`). */
async function checkUploads(ctx: CampaignsContext, content: CampaignContent): Promise<void> {
  const ids = [...content.variants.map((v) => v.media), content.followUp?.media]
    .map((media) => media?.uploadId)
    .filter((id): id is string => id !== undefined);
  const found = await uploadsRepo.existing(ctx.sql!, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw campaignsError(
      'CAMPAIGNS_UPLOAD_NOT_FOUND',
      `No upload ${missing.join(', ')} (upload the file first)`,
    );
}

/** Creates a draft campaign with its audience; every input problem is a 4xx before anything is written. */
export async function createCampaign(ctx: CampaignsContext, body: CreateCampaignBody) {
  const sessionIds = await checkSessions(ctx, body.sessionIds);
  const audience = await readAudience(ctx.gateway, body.audience, ctx.options);
  const schedule = body.schedule ?? {};
  const prepared = prepare(
    body.content,
    audience.variables,
    schedule,
    body.pacing ?? {},
    body.settings ?? {},
  );
  await checkUploads(ctx, body.content);
  const id = randomUUID();
  const fields: CampaignFields = {
    name: body.name,
    content: body.content,
    schedule,
    pacing: body.pacing ?? {},
    settings: body.settings ?? {},
    variables: audience.variables,
  };
  const campaign = await inTx(ctx, async (tx) => {
    const created = await campaignsRepo.insert(tx.sql, id, fields);
    await campaignsRepo.setSessions(tx.sql, id, sessionIds);
    await recipientsRepo.append(tx.sql, id, recipientsOf(id, audience, prepared.content));
    return created;
  });
  return { campaign, audience };
}

const editable: readonly CampaignStatus[] = ['draft', 'paused'];

/** Edits a draft or paused campaign; a new audience replaces the recipients nothing was sent to. */
export async function updateCampaign(ctx: CampaignsContext, id: string, body: UpdateCampaignBody) {
  const sessionIds = body.sessionIds ? await checkSessions(ctx, body.sessionIds) : null;
  const audience = body.audience ? await readAudience(ctx.gateway, body.audience, ctx.options) : null;
  if (body.content) await checkUploads(ctx, body.content);
  return inTx(ctx, async (tx) => {
    const current = await requireCampaign(tx, id, true);
    if (!editable.includes(current.status))
      throw campaignsError(
        'CAMPAIGNS_INVALID_STATE',
        `A ${current.status} campaign cannot be edited (pause it first)`,
      );
    const fields: CampaignFields = {
      name: body.name ?? current.name,
      content: body.content ?? current.content,
      schedule: body.schedule ?? current.schedule,
      pacing: body.pacing ?? current.pacing,
      settings: body.settings ?? current.settings,
      variables: audience ? audience.variables : current.variables,
    };
    const prepared = prepare(
      fields.content,
      fields.variables,
      fields.schedule,
      fields.pacing,
      fields.settings,
    );
    const updated = await campaignsRepo.update(tx.sql, id, fields);
    if (sessionIds) await campaignsRepo.setSessions(tx.sql, id, sessionIds);
    if (audience) {
      await recipientsRepo.deletePending(tx.sql, id);
      await recipientsRepo.append(tx.sql, id, recipientsOf(id, audience, prepared.content));
    }
    return { campaign: updated, audience };
  });
}

/** A new draft with the same content, schedule, pacing, sessions and recipients (all pending). */
export async function cloneCampaign(ctx: CampaignsContext, id: string, name?: string) {
  return inTx(ctx, async (tx) => {
    const source = await requireCampaign(tx, id);
    const copyId = randomUUID();
    const copy = await campaignsRepo.insert(tx.sql, copyId, {
      name: name ?? `${source.name} (copy)`,
      content: source.content,
      schedule: source.schedule,
      pacing: source.pacing,
      settings: source.settings,
      variables: source.variables,
    });
    const sessions = await campaignsRepo.sessions(tx.sql, id);
    await campaignsRepo.setSessions(
      tx.sql,
      copyId,
      sessions.map((s) => s.sessionId),
    );
    await recipientsRepo.copy(tx.sql, id, copyId);
    return copy;
  });
}

/** Deletes a campaign that is not sending (draft, completed or cancelled; pause and cancel a running one first). */
export async function deleteCampaign(ctx: CampaignsContext, id: string): Promise<void> {
  await inTx(ctx, async (tx) => {
    const campaign = await requireCampaign(tx, id, true);
    if (!['draft', 'completed', 'cancelled'].includes(campaign.status))
      throw campaignsError(
        'CAMPAIGNS_INVALID_STATE',
        `A ${campaign.status} campaign cannot be deleted (cancel it first)`,
      );
    await campaignsRepo.delete(tx.sql, id);
  });
}
