import { type SqlClient, sqlValues } from '@zapgate/core';
import { campaignsError } from '../error-codes.js';

/** What is known of an upload besides its bytes. */
export interface UploadInfo {
  id: string;
  mimeType: string;
  fileName: string | null;
  size: number;
  createdAt: string;
}

/** Files uploaded for campaign media (`media.uploadId`), kept while a campaign refers to them. */
export const uploadsRepo = {
  async insert(
    sql: SqlClient,
    upload: { id: string; mimeType: string; fileName: string | null; data: Buffer },
  ): Promise<UploadInfo> {
    const [row] = await sql.query(
      `INSERT INTO "campaignUploads" ("id", "mimeType", "fileName", "size", "data") VALUES (?, ?, ?, ?, ?)
       RETURNING "id", "mimeType", "fileName", "size", "createdAt"`,
      [upload.id, upload.mimeType, upload.fileName, upload.data.length, upload.data],
    );
    return {
      id: String(row!.id),
      mimeType: String(row!.mimeType),
      fileName: sqlValues.stringOrNull(row!.fileName),
      size: Number(row!.size),
      createdAt: sqlValues.iso(row!.createdAt),
    };
  },

  /** Which of `ids` exist. */
  async existing(sql: SqlClient, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await sql.query('SELECT "id" FROM "campaignUploads" WHERE "id" = ANY(?::uuid[])', [ids]);
    return new Set(rows.map((row) => String(row.id)));
  },

  /** Deletes uploads older than `before` that no campaign's content refers to; how many. */
  async prune(sql: SqlClient, before: Date): Promise<number> {
    const rows = await sql.query(
      `DELETE FROM "campaignUploads" u WHERE u."createdAt" < ?
         AND NOT EXISTS (SELECT 1 FROM "campaigns" c WHERE strpos(c."content"::text, u."id"::text) > 0)
       RETURNING u."id"`,
      [before.toISOString()],
    );
    return rows.length;
  },

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
