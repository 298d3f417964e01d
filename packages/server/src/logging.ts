import { createRequire } from 'node:module';
import type { DestinationStream, LoggerOptions } from 'pino';
import { pino } from 'pino';
import type { ServerConfig } from './options.js';

/** Where logs go: a stream that may be a terminal. */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

const require = createRequire(import.meta.url);

/** Secrets that must never reach a log line. */
const redact = { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' };

/**
 * The server's log settings: pino options and the stream they write to, human-readable
 * (pino-pretty) in a terminal, one JSON object a line otherwise (`logFormat` overrides).
 */
export function logSettings(
  config: Pick<Readonly<ServerConfig>, 'logLevel' | 'logFormat'>,
  destination: LogDestination = process.stdout,
): { options: LoggerOptions; stream: DestinationStream; format: 'pretty' | 'json' } {
  const format = config.logFormat ?? (destination.isTTY ? 'pretty' : 'json');
  // only a terminal's logs load pino-pretty (a server writing JSON never needs it)
  const pretty = () => require('pino-pretty') as typeof import('pino-pretty');
  const stream =
    format === 'pretty'
      ? pretty()({
          destination,
          colorize: destination.isTTY === true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          sync: true,
        })
      : (destination as DestinationStream);
  return { options: { level: config.logLevel, redact }, stream, format };
}

/** A standalone logger with the same settings (for parts built before the server, e.g. the connector). */
export function standaloneLogger(settings: ReturnType<typeof logSettings>) {
  return pino(settings.options, settings.stream);
}
