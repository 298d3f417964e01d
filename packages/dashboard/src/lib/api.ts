import { createZapgateClient, type ZapgateClient, type ZapgateError } from '@zapgate/sdk';

export type { ZapgateClient };

/** A failed call, with the server's message (or a sentence about the network). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** The server's structured details (a validation failure lists `{ path, message }`s). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A client for the server that served this page (the API is same-origin). */
export function clientFor(apiKey: string, fetchImpl?: typeof fetch): ZapgateClient {
  return createZapgateClient({
    baseUrl: location.origin,
    apiKey,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

type Result<T> = { data?: T; error?: ZapgateError | unknown; response: Response };

/** Unwraps an SDK result: the data, or an {@link ApiError} with a readable message. */
export async function call<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    throw new ApiError(describeError(error), 0, 'NETWORK');
  }
  if (result.error !== undefined || !result.response.ok) {
    const body = result.error as Partial<ZapgateError> | undefined;
    throw new ApiError(
      body?.message ?? `The server answered ${result.response.status}`,
      result.response.status,
      body?.code ?? 'HTTP_ERROR',
      body?.details,
    );
  }
  return result.data as T;
}

/** A sentence for any error the page meets. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server could not be reached. Is it running?';
  if (error instanceof Error) return error.message;
  return String(error);
}
