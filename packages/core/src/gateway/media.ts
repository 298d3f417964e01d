import type { SendMessageBody } from '../contracts/outbound.js';
import { GatewayError } from '../errors.js';
import { defaultMimeTypes } from './outbound-content.js';

/** Fetches media a sender referenced by URL. Hosts pass one that refuses private addresses. */
export type MediaFetcher = (
  url: string,
  maxBytes: number,
) => Promise<{ data: Buffer; mimeType: string | null }>;

/**
 * The body of a media response, refused when it is not a success or grows past `maxBytes`
 * (checked on the declared length and again while reading, so a lying server is cut off).
 */
export async function readMediaResponse(
  response: Response,
  url: string,
  maxBytes: number,
): Promise<{ data: Buffer; mimeType: string | null }> {
  if (!response.ok || !response.body) {
    throw new GatewayError('MEDIA_FETCH_FAILED', `Fetching ${url} answered ${response.status}`);
  }
  const tooLarge = () =>
    new GatewayError('MEDIA_TOO_LARGE', `Media at ${url} is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return { data: Buffer.concat(chunks), mimeType: response.headers.get('content-type') };
}

/** The default fetcher: plain `fetch` with a size cap (no address filtering). */
export const fetchMediaUnfiltered: MediaFetcher = async (url, maxBytes) => {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new GatewayError('MEDIA_FETCH_FAILED', `Could not fetch ${url}`, { cause: error });
  }
  return readMediaResponse(response, url, maxBytes);
};

type MediaBody = Extract<SendMessageBody, { media: unknown }>;

/** The bytes and MIME type of a media send, from an upload, base64 or a URL. */
export async function resolveMedia(
  body: MediaBody,
  upload: { data: Buffer; mimeType: string; fileName?: string } | undefined,
  fetchMedia: MediaFetcher,
  maxBytes: number,
): Promise<{ data: Buffer; mimeType: string; fileName?: string }> {
  let data: Buffer;
  let detected: string | null = null;
  if (upload) {
    data = upload.data;
    detected = upload.mimeType;
  } else if ('base64' in body.media) {
    data = Buffer.from(body.media.base64, 'base64');
    if (data.length === 0) throw new GatewayError('VALIDATION_FAILED', 'media.base64 is not valid base64');
  } else {
    ({ data, mimeType: detected } = await fetchMedia(body.media.url, maxBytes));
  }
  if (data.length > maxBytes)
    throw new GatewayError('MEDIA_TOO_LARGE', `Media is larger than ${maxBytes} bytes`);
  const mimeType = body.mimeType ?? detected?.split(';')[0]?.trim() ?? defaultMimeTypes[body.type];
  const fileName = body.fileName ?? upload?.fileName;
  return { data, mimeType: mimeType || defaultMimeTypes[body.type], ...(fileName ? { fileName } : {}) };
}
