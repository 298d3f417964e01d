import { type TSchema, Type } from '@sinclair/typebox';

/** The body of every error response: `{ statusCode, code, error, message }` (+ `details`). */
export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer({ description: 'HTTP status, repeated' }),
    code: Type.String({
      description: 'Stable UPPER_SNAKE code to branch on',
      examples: ['SESSION_NOT_FOUND'],
    }),
    error: Type.String({ description: 'HTTP reason phrase' }),
    message: Type.String({ description: 'Human-readable explanation' }),
    details: Type.Optional(
      Type.Unknown({ description: 'Structured details, e.g. every validation problem' }),
    ),
  },
  { title: 'Error' },
);

/** The error body documented for one status, with what it means. */
export function errorResponse(description: string): TSchema {
  return Type.Unsafe<unknown>({ ...ErrorResponse, description });
}

/** A non-JSON response body (a file, an event stream, CSV, Prometheus text), documented by media type. */
export function rawResponse(mediaType: string, description: string): TSchema {
  return Type.Unsafe<unknown>({
    description,
    content: {
      [mediaType]: {
        schema: { type: 'string', ...(mediaType.startsWith('text/') ? {} : { format: 'binary' }) },
      },
    },
  });
}

/**
 * The `response` part of a route schema: the success responses plus the error body for each
 * listed status, described from `descriptions` (what codes a status carries on this route set).
 */
export function withErrorResponses(
  success: Record<number, TSchema>,
  errors: readonly number[],
  descriptions: Readonly<Record<number, string>>,
): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  for (const status of errors) out[status] = errorResponse(descriptions[status] ?? 'Error');
  return out;
}
