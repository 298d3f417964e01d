import type { BeforeSend } from '@zapgate/core';
import { normalisePhone } from '../audience/phone.js';
import { campaignsError } from '../error-codes.js';
import { suppressionsRepo } from '../repo/suppressions.js';
import type { CampaignsContext } from '../runtime.js';
import { optOutSettings } from '../tracking/handlers.js';

/**
 * `beforeSend`: refuses a campaign send (origin `plugin:campaigns`) to a number on the
 * session's suppression list (`CAMPAIGNS_RECIPIENT_SUPPRESSED`, 409), so no campaign (this
 * one, a later one, one started elsewhere) ever writes to an opted-out number. The opt-out
 * confirmation itself still goes; sends from the API and other plugins are not touched.
 */
export async function refuseSuppressed(send: BeforeSend, ctx: CampaignsContext): Promise<void> {
  if (send.origin !== `plugin:${ctx.pluginId}`) return;
  const { body } = send;
  if (body.type === 'text') {
    const { confirmation } = await optOutSettings(ctx, send.sessionId);
    if (confirmation !== null && body.text === confirmation) return;
  }
  const phone = normalisePhone(body.to);
  if (!phone.ok) return;
  if (await suppressionsRepo.has(ctx.sql!, send.sessionId, phone.e164))
    throw campaignsError(
      'CAMPAIGNS_RECIPIENT_SUPPRESSED',
      `${phone.e164} is on the suppression list of session ${send.sessionId}`,
    );
}
