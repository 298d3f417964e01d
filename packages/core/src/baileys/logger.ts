import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import { type Logger, silentLogger } from '../logger.js';

/** Adapts a Zapgate logger to Baileys' `ILogger`; Baileys is chatty, so each level moves one down. */
export function toBaileysLogger(logger: Logger = silentLogger): ILogger {
  const wrap = (l: Logger): ILogger => ({
    level: 'info',
    child: (bindings: Record<string, unknown>) => wrap(l.child(bindings)),
    trace: (obj: unknown, msg?: string) => l.trace(obj as object, msg),
    debug: (obj: unknown, msg?: string) => l.trace(obj as object, msg),
    info: (obj: unknown, msg?: string) => l.debug(obj as object, msg),
    warn: (obj: unknown, msg?: string) => l.info(obj as object, msg),
    error: (obj: unknown, msg?: string) => l.warn(obj as object, msg),
  });
  return wrap(logger);
}
