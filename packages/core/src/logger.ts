type LogFn = {
  (message: string): void;
  (context: object, message?: string): void;
};

/** A pino-compatible logger; pass `pino()` or anything with these methods. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

/** A logger that drops everything (the default when none is given). */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
