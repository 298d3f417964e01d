import { GatewayError } from '../errors.js';

/**
 * Decodes base64 strictly (standard or URL alphabet, optional `data:…;base64,` prefix,
 * whitespace ignored): anything else is `VALIDATION_FAILED` naming `field`, instead of the
 * few bytes Node's lenient decoder would make of it.
 */
export function decodeBase64(value: string, field: string): Buffer {
  const text = value.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  const data =
    text.length % 4 !== 1 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : null;
  if (!data || data.length === 0) throw new GatewayError('VALIDATION_FAILED', `${field} is not valid base64`);
  return data;
}

/** The MIME type the bytes themselves say (magic numbers, via `file-type`), or null. */
export async function sniffMimeType(data: Uint8Array): Promise<string | null> {
  // loaded with the first media (31 modules a boot does not need)
  const { fileTypeFromBuffer } = await import('file-type');
  return (await fileTypeFromBuffer(data))?.mime ?? null;
}

const aliases: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/opus': 'audio/ogg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/mp3': 'audio/mpeg',
  'video/x-m4v': 'video/mp4',
};

/** A MIME type without parameters, lower case, with common aliases folded. */
export function baseMimeType(mime: string): string {
  const bare = mime.split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(aliases, bare) ? aliases[bare]! : bare;
}

/**
 * True when a declared type may describe bytes of the sniffed type: the same type, or two
 * `application/*` types (Office files are zip archives, say), or a generic octet stream.
 */
export function typesAgree(declared: string, sniffed: string): boolean {
  const a = baseMimeType(declared);
  const b = baseMimeType(sniffed);
  return (
    a === b ||
    a === 'application/octet-stream' ||
    (a.startsWith('application/') && b.startsWith('application/'))
  );
}
