import type { Socket } from 'node:net';
import { type ErrorBody, isGatewayError, reasonPhrase } from '@zapgate/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerErrorCode } from './error-codes.js';

/** An error body with one of the server's codes. */
export function errorBody(
  statusCode: number,
  code: ServerErrorCode | (string & {}),
  message: string,
): ErrorBody {
  return { statusCode, code, error: reasonPhrase(statusCode), message };
}

/** Fastify's own error codes mapped to ours; anything else 4xx becomes `BAD_REQUEST`. */
const fastifyCodes: Record<string, ServerErrorCode | 'VALIDATION_FAILED'> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'INVALID_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Maps any thrown value to the wire shape; unexpected errors are logged, never described. */
export function toErrorBody(error: unknown, request: FastifyRequest): ErrorBody & { details?: unknown } {
  if (isGatewayError(error)) {
    if (error.statusCode >= 500) request.log.error({ err: error }, error.message);
    return error.toJSON();
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown[] };
  if (fastifyError?.validation) {
    const problems = validationProblems(fastifyError as FastifyError);
    const body = errorBody(400, 'VALIDATION_FAILED', `Invalid request: ${problems.join('; ')}`);
    return { ...body, details: problems };
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code =
      fastifyCodes[fastifyError.code ?? ''] ?? (status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST');
    const message =
      code === 'INVALID_JSON' ? 'The body is not valid JSON' : (fastifyError.message ?? 'Bad request');
    return errorBody(status, code, message);
  }
  request.log.error({ err: error }, 'unexpected error');
  return errorBody(500, 'INTERNAL_ERROR', 'An unexpected error occurred; see the server log');
}

function validationProblems(error: FastifyError): string[] {
  const context = error.validationContext ?? 'request';
  const problems = (error.validation ?? []).map((v) => {
    const where = `${context}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`;
    const extra =
      v.keyword === 'required'
        ? `.${(v.params as { missingProperty?: string }).missingProperty}`
        : v.keyword === 'additionalProperties'
          ? `.${(v.params as { additionalProperty?: string }).additionalProperty}`
          : '';
    const message =
      v.keyword === 'required'
        ? 'is required'
        : v.keyword === 'additionalProperties'
          ? 'is not allowed'
          : v.keyword === 'enum'
            ? `must be one of: ${(v.params as { allowedValues?: unknown[] }).allowedValues?.join(', ')}`
            : (v.message ?? 'is invalid');
    return `${where}${extra} ${message}`;
  });
  return [...new Set(problems)].slice(0, 20);
}

/** The one error handler: every failure leaves as `{ statusCode, code, error, message }`. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const body = toErrorBody(error, request);
  if (body.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  if (isGatewayError(error) && error.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.status(body.statusCode).type('application/json').send(body);
}

const clientErrors: Record<string, [number, ServerErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'HEADERS_TOO_LARGE', 'The request headers are larger than the server accepts'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive'],
};

/**
 * Answers requests Node's HTTP parser refused before Fastify saw them (headers too large,
 * malformed HTTP, too slow) in the same `{ statusCode, code, error, message }` shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] = (error.code && clientErrors[error.code]) || [
    400,
    'BAD_REQUEST',
    'The request is not valid HTTP',
  ];
  const body = JSON.stringify(errorBody(status, code, message));
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** 404 for paths no route matches. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(404)
    .send(
      errorBody(404, 'ROUTE_NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`),
    );
}
