import type { Readable } from 'node:stream';

/** What a media store keeps about one file. */
export interface StoredMedia {
  /** Store-relative location, kept in `mediaInfo.path`. */
  path: string;
  size: number;
  sha256: string;
}

/**
 * Where message media lives. The default keeps files under the data dir; an S3-compatible
 * store can implement the same three methods.
 */
export interface MediaStore {
  put(key: string, data: Readable | Buffer, options?: { maxBytes?: number }): Promise<StoredMedia>;
  /** A stream of the file, or `null` when it is gone. */
  get(path: string): Promise<Readable | null>;
  delete(path: string): Promise<void>;
}
