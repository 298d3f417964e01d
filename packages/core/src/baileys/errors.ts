import { GatewayError, isGatewayError } from '../errors.js';

/** A Baileys `Boom` (or any error) as a {@link GatewayError}: Boom never leaves core. */
export function toGatewayError(error: unknown, action: string): GatewayError {
  if (isGatewayError(error)) return error;
  const boom = error as {
    isBoom?: boolean;
    output?: { statusCode?: number };
    data?: unknown;
    message?: string;
  };
  // iq errors are `new Boom(text, { data: code })`: output.statusCode is then a default 500
  // and the WhatsApp code is in data, so data wins when it is a status
  const status = typeof boom?.data === 'number' && boom.data >= 400 ? boom.data : boom?.output?.statusCode;
  const message = `WhatsApp refused to ${action}: ${boom?.message ?? String(error)}`;
  switch (status) {
    case 400:
      return new GatewayError('WHATSAPP_BAD_REQUEST', message, { cause: error });
    case 401:
    case 403:
      return new GatewayError('WHATSAPP_FORBIDDEN', message, { cause: error });
    case 404:
      return new GatewayError('WHATSAPP_NOT_FOUND', message, { cause: error });
    case 408:
      return new GatewayError('WHATSAPP_TIMEOUT', message, { cause: error });
    case 409:
      return new GatewayError('WHATSAPP_CONFLICT', message, { cause: error });
    case 428:
      return new GatewayError(
        'SESSION_NOT_CONNECTED',
        `Cannot ${action}: the WhatsApp connection is closed`,
        { cause: error },
      );
    default:
      return new GatewayError('CONNECTOR_FAILED', message, { cause: error });
  }
}

/**
 * The value of a WhatsApp lookup, or null when WhatsApp says there is nothing to see
 * (404 no such item, 401/403 hidden by privacy); any other failure (closed connection,
 * timeout) is thrown as a {@link GatewayError}.
 */
export async function orNullWhenAbsent<T>(
  lookup: Promise<T | null | undefined>,
  action: string,
): Promise<T | null> {
  try {
    return (await lookup) ?? null;
  } catch (error) {
    const mapped = toGatewayError(error, action);
    if (mapped.code === 'WHATSAPP_NOT_FOUND' || mapped.code === 'WHATSAPP_FORBIDDEN') return null;
    throw mapped;
  }
}

type AsyncMethods<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/** Wraps the async methods of `target` so their failures are {@link GatewayError}s. */
export function guardAsync<T extends object>(target: T, names: readonly AsyncMethods<T>[]): T {
  const guarded = { ...target };
  for (const name of names) {
    const fn = target[name] as (...args: unknown[]) => Promise<unknown>;
    (guarded as Record<PropertyKey, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toGatewayError(error, humanize(String(name)));
      }
    };
  }
  return guarded;
}

const humanize = (name: string) => name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
