import type { SendMessageBody } from '../contracts/outbound.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { baseMimeType, decodeBase64, sniffMimeType, typesAgree } from '../media/bytes.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import { defaultMimeTypes } from './outbound-content.js';

/** Fetches media a sender referenced by URL. Hosts pass one that refuses private addresses. */
export type MediaFetcher = (
  url: string,
  maxBytes: number,
) => Promise<{ data: Buffer; mimeType: string | null }>;

/**
 * The body of a media response, refused when it is not a success or grows past `maxBytes`
 * (checked on the declared length and again while reading, so a lying server is cut off).
 * A body cut short (connection reset, fewer bytes than announced) is `MEDIA_FETCH_FAILED`.
 */
export async function readMediaResponse(
  response: Response,
  url: string,
  maxBytes: number,
): Promise<{ data: Buffer; mimeType: string | null }> {
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw new GatewayError('MEDIA_FETCH_FAILED', `Fetching ${url} answered ${response.status}`);
  }
  const tooLarge = () =>
    new GatewayError('MEDIA_TOO_LARGE', `Media at ${url} is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (isGatewayError(error)) throw error;
    throw new GatewayError(
      'MEDIA_FETCH_FAILED',
      `The media at ${url} ended early (${size} bytes read): ${reasonOf(error)}`,
      { cause: error },
    );
  }
  return { data: Buffer.concat(chunks), mimeType: response.headers.get('content-type') };
}

/** The innermost message of an error chain (`fetch failed` → `connect ECONNREFUSED …`). */
function reasonOf(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** Options of {@link guardedMediaFetcher}. */
export interface MediaFetcherOptions {
  /** Time allowed for the whole download. @default 30000 */
  timeoutMs?: number;
}

/**
 * Fetches send media by URL through the outgoing-address policy: private destinations are
 * refused (`URL_NOT_ALLOWED`) at connect time, on every redirect hop too; the body is capped.
 */
export function guardedMediaFetcher(policy: OutgoingPolicy, options: MediaFetcherOptions = {}): MediaFetcher {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async (url, maxBytes) => {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await policy.fetch(url, { redirect: 'follow', signal });
    } catch (error) {
      if (isGatewayError(error)) throw error;
      throw new GatewayError('MEDIA_FETCH_FAILED', `Could not fetch ${url}: ${reasonOf(error)}`, {
        cause: error,
      });
    }
    return readMediaResponse(response, url, maxBytes);
  };
}

type MediaBody = Extract<SendMessageBody, { media: unknown }>;

/** The bytes and MIME type of a media send, from an upload, base64 or a URL. */
export async function resolveMedia(
  body: MediaBody,
  upload: { data: Buffer; mimeType: string; fileName?: string } | undefined,
  fetchMedia: MediaFetcher,
  maxBytes: number,
): Promise<{ data: Buffer; mimeType: string; fileName?: string }> {
  let data: Buffer;
  let hinted: string | null = null;
  if (upload) {
    data = upload.data;
    hinted = upload.mimeType;
  } else if ('base64' in body.media) {
    data = decodeBase64(body.media.base64, 'media.base64');
  } else {
    ({ data, mimeType: hinted } = await fetchMedia(body.media.url, maxBytes));
  }
  if (data.length > maxBytes)
    throw new GatewayError('MEDIA_TOO_LARGE', `Media is larger than ${maxBytes} bytes`);
  const mimeType = await mimeTypeOf(body, data, hinted);
  const fileName = body.fileName ?? upload?.fileName;
  return { data, mimeType, ...(fileName ? { fileName } : {}) };
}

/** What the media of a send is, by message type: a send of that type must carry this kind. */
const kinds: Partial<Record<MediaBody['type'], string>> = {
  image: 'image/',
  video: 'video/',
  audio: 'audio/',
  sticker: 'image/',
};

/**
 * The MIME type a media send goes out with: the caller's `mimeType` when given (refused with
 * `MEDIA_TYPE_MISMATCH` when the bytes say otherwise: a PNG never goes out as image/jpeg),
 * else what the bytes say, else the upload's or the server's type, else the type's default.
 */
async function mimeTypeOf(body: MediaBody, data: Buffer, hinted: string | null): Promise<string> {
  const sniffed = await sniffMimeType(data);
  const given = body.mimeType;
  if (given && sniffed && !typesAgree(given, sniffed)) {
    throw new GatewayError('MEDIA_TYPE_MISMATCH', `mimeType says ${given}, but the media is ${sniffed}`);
  }
  const mimeType = given ?? sniffed ?? (hinted ? baseMimeType(hinted) : null) ?? defaultMimeTypes[body.type];
  const kind = kinds[body.type];
  const actual = sniffed ?? mimeType;
  if (kind && !actual.startsWith(kind)) {
    throw new GatewayError('MEDIA_TYPE_MISMATCH', `A ${body.type} send needs ${kind}* media, not ${actual}`);
  }
  return mimeType || defaultMimeTypes[body.type];
}
