import type { SqlClient } from '@zapgate/core';
import { campaignsError } from '../error-codes.js';

/** Files uploaded for campaign media. */
export const uploadsRepo = {
  /** The bytes of an upload (`CAMPAIGNS_UPLOAD_NOT_FOUND` when gone). */
  async read(sql: SqlClient, id: string): Promise<{ data: Buffer; mimeType: string; fileName?: string }> {
    const [row] = await sql.query(
      'SELECT "mimeType", "fileName", "data" FROM "campaignUploads" WHERE "id" = ?',
      [id],
    );
    if (!row) throw campaignsError('CAMPAIGNS_UPLOAD_NOT_FOUND', `No upload ${id}`);
    return {
      data: Buffer.from(row.data as Uint8Array),
      mimeType: String(row.mimeType),
      ...(row.fileName ? { fileName: String(row.fileName) } : {}),
    };
  },
};
