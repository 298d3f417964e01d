import { AsyncLocalStorage } from 'node:async_hooks';

/** Whose work is running: a session's connection, a plugin's handler. */
export interface ExecutionContext {
  sessionId?: string;
  pluginId?: string;
}

const storage = new AsyncLocalStorage<ExecutionContext>();

/**
 * Runs `fn` (and everything it starts: sockets, timers, promises) as the work of `context`,
 * so a failure that escapes it can still be logged with its session or plugin.
 */
export function runInContext<T>(context: ExecutionContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/**
 * The context of the running code (`{}` outside any). Available in `uncaughtException` and
 * `unhandledRejection` handlers, which run in the context of the failed work.
 */
export function currentContext(): ExecutionContext {
  return storage.getStore() ?? {};
}
