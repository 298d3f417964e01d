import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { baseMimeType, defineRoute, GatewayError, sniffMimeType, typesAgree } from '@zapgate/core';
import { campaignsError } from '../error-codes.js';
import { uploadsRepo } from '../repo/uploads.js';
import type { CampaignsContext } from '../runtime.js';
import type { Route } from './campaigns.js';
import { withErrors } from './schemas.js';

const Upload = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Use it as `media.uploadId` in a variant or follow-up' }),
  mimeType: Type.String(),
  fileName: Type.Union([Type.String(), Type.Null()]),
  size: Type.Integer({ minimum: 1, description: 'Bytes' }),
  createdAt: Type.String({ format: 'date-time' }),
});

/** Stores an uploaded file: its declared type must agree with what the bytes are. */
async function storeUpload(
  ctx: CampaignsContext,
  data: Buffer | undefined,
  contentType: string | undefined,
  fileName: string | undefined,
) {
  if (!data || data.length === 0) throw campaignsError('CAMPAIGNS_UPLOAD_INVALID', 'The upload has no body');
  const declared = contentType ? baseMimeType(contentType) : '';
  if (!declared || /^application\/(.+\+)?json$/.test(declared) || declared.startsWith('multipart/'))
    throw campaignsError(
      'CAMPAIGNS_UPLOAD_INVALID',
      'Send the file itself as the body, with its type as Content-Type (e.g. image/png)',
    );
  const sniffed = await sniffMimeType(data);
  if (sniffed && !typesAgree(declared, sniffed))
    throw new GatewayError(
      'MEDIA_TYPE_MISMATCH',
      `Content-Type says ${declared}, but the file is ${sniffed}`,
    );
  const mimeType = declared === 'application/octet-stream' && sniffed ? sniffed : declared;
  return uploadsRepo.insert(ctx.sql!, { id: randomUUID(), mimeType, fileName: fileName ?? null, data });
}

/** Uploading files for campaign media (admin key). */
export function uploadRoutes(options: { maxUploadBytes: number }): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/campaigns/uploads',
      operationId: 'uploadCampaignMedia',
      summary: 'Upload a file for campaign media',
      description:
        'The request body is the file itself, with its type as `Content-Type` (checked against the bytes: a mismatch is `MEDIA_TYPE_MISMATCH`). Refer to it as `media.uploadId`. Uploads no campaign refers to are deleted after `uploadRetentionHours`.',
      tags: ['campaigns'],
      auth: 'admin',
      rawBody: true,
      limits: { bodyBytes: options.maxUploadBytes },
      schema: {
        querystring: Type.Object({
          fileName: Type.Optional(
            Type.String({ minLength: 1, maxLength: 255, description: 'Shown to recipients of a document' }),
          ),
        }),
        response: withErrors({ 201: Upload }, [400]),
      },
      async handler(request, ctx) {
        const upload = await storeUpload(
          ctx,
          request.rawBody,
          request.headers['content-type'],
          request.query.fileName,
        );
        return { status: 201, body: upload };
      },
    }),
  ];
}
