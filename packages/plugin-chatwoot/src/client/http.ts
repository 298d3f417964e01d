import { type GatewayError, isGatewayError, parseRetryAfter } from '@zapgate/core';
import { type ChatwootErrorCode, type ChatwootFailure, chatwootError } from '../error-codes.js';

/** The `fetch` the client calls: the host's guarded client in a gateway, `fetch` elsewhere. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Where and as whom the client talks to Chatwoot. */
export interface ChatwootConnection {
  /** Base URL of the Chatwoot installation, e.g. `https://chatwoot.example.com`. */
  url: string;
  accountId: number;
  /** An agent's or admin's API access token (Profile settings → Access token). */
  token: string;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Time allowed for one request, answer body included. @default 10000 */
  timeoutMs?: number;
}

/** What a call needs besides method and path. */
export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** Aborts the call (a stopping job); the abort error is rethrown as is. */
  signal?: AbortSignal;
  /** What a 404 means: the inbox (the bridge cannot work) or another record. */
  notFound?: 'inbox' | 'record';
}

const snippet = (text: string) => text.replace(/\s+/g, ' ').slice(0, 200);

function chatwootMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; errors?: unknown };
    const said = body.message ?? body.error ?? body.errors;
    if (said !== undefined) return snippet(typeof said === 'string' ? said : JSON.stringify(said));
  } catch {
    // not JSON: quote the text itself
  }
  return snippet(text);
}

function failure(code: ChatwootErrorCode, message: string, details: ChatwootFailure, cause?: unknown) {
  return chatwootError(code, message, { details, ...(cause === undefined ? {} : { cause }) });
}

/** The error for a non-2xx answer: 401/403 and a missing inbox are fatal, 5xx/429/408 retryable. */
function errorOf(operation: string, response: Response, text: string, options: CallOptions): GatewayError {
  const { status } = response;
  const said = chatwootMessageOf(text);
  const base = { status, operation, retryable: false, fatal: false };
  if (status === 401 || status === 403) {
    return failure('CHATWOOT_UNAUTHORIZED', `Chatwoot refused the API token (${status}: ${said})`, {
      ...base,
      fatal: true,
    });
  }
  if (status === 404) {
    return options.notFound === 'inbox'
      ? failure('CHATWOOT_INBOX_NOT_FOUND', `The Chatwoot inbox does not exist (${operation})`, {
          ...base,
          fatal: true,
        })
      : failure('CHATWOOT_NOT_FOUND', `Chatwoot has no such record (${operation})`, base);
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after')) ?? undefined;
    return failure('CHATWOOT_UNAVAILABLE', `Chatwoot answered ${status} to ${operation}: ${said}`, {
      ...base,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return failure('CHATWOOT_REJECTED', `Chatwoot refused ${operation} (${status}: ${said})`, base);
}

/** The error for a request that got no answer. */
function transportError(operation: string, error: unknown, timeoutMs: number): GatewayError {
  const base = { status: 0, operation, fatal: false };
  if (isGatewayError(error) && error.code === 'URL_NOT_ALLOWED') {
    return failure(
      'CHATWOOT_URL_NOT_ALLOWED',
      error.message,
      { ...base, retryable: false, fatal: true },
      error,
    );
  }
  if ((error as Error | null)?.name === 'TimeoutError') {
    return failure('CHATWOOT_TIMEOUT', `Chatwoot did not answer ${operation} within ${timeoutMs} ms`, {
      ...base,
      retryable: true,
    });
  }
  const reason = (error as { cause?: { code?: string } } | null)?.cause?.code ?? (error as Error)?.message;
  return failure(
    'CHATWOOT_UNAVAILABLE',
    `Chatwoot could not be reached for ${operation} (${reason})`,
    {
      ...base,
      retryable: true,
    },
    error,
  );
}

/**
 * One Application API call (`/api/v1/accounts/{accountId}{path}`) answering parsed JSON.
 * `operation` names it in errors and metrics, e.g. `POST /conversations/{id}/messages`.
 */
export async function call<T>(
  connection: ChatwootConnection,
  method: string,
  path: string,
  operation: string,
  options: CallOptions = {},
): Promise<T> {
  const timeoutMs = connection.timeoutMs ?? 10_000;
  const url = new URL(`${connection.url.replace(/\/+$/, '')}/api/v1/accounts/${connection.accountId}${path}`);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const headers: Record<string, string> = { api_access_token: connection.token, accept: 'application/json' };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    // Encoded here, so any fetch (the guarded one is undici's own) sends the same bytes.
    const encoded = new Response(options.form);
    headers['content-type'] = encoded.headers.get('content-type')!;
    body = new Uint8Array(await encoded.arrayBuffer());
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const send = connection.fetch ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await send(url.toString(), {
      method,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
    });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw transportError(operation, error, timeoutMs);
  }
  if (!response.ok) throw errorOf(operation, response, text, options);
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw failure(
      'CHATWOOT_BAD_RESPONSE',
      `Chatwoot answered ${operation} with something that is not JSON: ${snippet(text)}`,
      { status: response.status, operation, retryable: false, fatal: false },
      error,
    );
  }
}
