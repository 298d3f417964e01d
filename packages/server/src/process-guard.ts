import { currentContext } from '@zapgate/core';

/** What the guard logs with. */
interface GuardLogger {
  fatal(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Options of {@link installProcessGuard}. */
export interface ProcessGuardOptions {
  /** Ends the process after an uncaught exception. @default process.exit */
  exit?: (code: number) => void;
}

/**
 * The process-level guard of the server: an uncaught exception is logged at `fatal` with the
 * session or plugin whose work threw (core runs each connection and plugin handler in its
 * context) before the process exits; an unhandled rejection is logged with its context and
 * contained. Returns a function that removes the guard.
 */
export function installProcessGuard(logger: GuardLogger, options: ProcessGuardOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const onException = (error: Error, origin: string) => {
    logger.fatal({ err: error, origin, ...currentContext() }, 'uncaught exception; exiting');
    exit(1);
  };
  const onRejection = (reason: unknown) => {
    logger.error({ err: reason, ...currentContext() }, 'unhandled promise rejection (contained)');
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
