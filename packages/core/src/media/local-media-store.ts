import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from '../errors.js';
import type { MediaStore, StoredMedia } from '../ports/media.js';

/** Options of {@link localMediaStore}. */
export interface LocalMediaStoreOptions {
  /** Directory the files live in. */
  dir: string;
}

/**
 * Keeps media as files under a directory. Writes go to a temp file renamed on success, so a
 * crash never leaves a half-written file under a real name.
 *
 * @example
 * const media = localMediaStore({ dir: './data/media' });
 */
export function localMediaStore(options: LocalMediaStoreOptions): MediaStore {
  const root = path.resolve(options.dir);
  const resolve = (key: string) => {
    const full = path.resolve(root, key);
    if (!full.startsWith(root + path.sep))
      throw new GatewayError('VALIDATION_FAILED', `Invalid media key ${key}`);
    return full;
  };

  return {
    async put(key, data, { maxBytes = Number.POSITIVE_INFINITY } = {}): Promise<StoredMedia> {
      const target = resolve(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.tmp`;
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > maxBytes)
            return callback(new GatewayError('MEDIA_TOO_LARGE', `Media is larger than ${maxBytes} bytes`));
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      try {
        const source = Buffer.isBuffer(data) ? Readable.from([data]) : data;
        await pipeline(source, meter, createWriteStream(temp));
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { path: key, size, sha256: hash.digest('hex') };
    },
    async get(key) {
      const file = resolve(key);
      try {
        await stat(file);
      } catch {
        return null;
      }
      return createReadStream(file);
    },
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
