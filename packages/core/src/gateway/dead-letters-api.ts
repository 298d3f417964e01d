import type { PageOf } from '../contracts/common.js';
import type { DeadLetter, DeadLetterKind } from '../contracts/dead-letter.js';
import type { StoredEvent } from '../contracts/events.js';
import { GatewayError } from '../errors.js';
import type { DeadLetterFilter, Store } from '../ports/store.js';

/** Runs a dead letter of one kind again; throwing keeps it. */
export type DeadLetterRetrier = (letter: DeadLetter) => Promise<void>;

/** Dead letters of every plugin: work given up after its last attempt (jobs and event handlers). */
export interface DeadLettersApi {
  /** Newest first. */
  list(filter?: DeadLetterFilter): Promise<PageOf<DeadLetter>>;
  /** Unknown id: `DEAD_LETTER_NOT_FOUND`. */
  get(id: string): Promise<DeadLetter>;
  /**
   * Runs it again and removes it: an event is handed to its plugin's handlers once more (a
   * failure throws `DEAD_LETTER_RETRY_FAILED` and keeps it); a job is queued again with fresh
   * attempts.
   */
  retry(id: string): Promise<void>;
  /** Discards it; unknown id: `DEAD_LETTER_NOT_FOUND`. */
  delete(id: string): Promise<void>;
}

/** The dead-letter API over the store, with one retrier per kind. */
export function createDeadLettersApi(
  store: Store,
  retriers: Partial<Record<DeadLetterKind, DeadLetterRetrier>>,
): DeadLettersApi {
  const get = async (id: string) => {
    const letter = await store.deadLetters.get(id);
    if (!letter) throw new GatewayError('DEAD_LETTER_NOT_FOUND', `No dead letter ${id}`);
    return letter;
  };
  return {
    list: (filter) => store.deadLetters.list(filter),
    get,
    async retry(id) {
      const letter = await get(id);
      const retrier = retriers[letter.kind];
      if (!retrier)
        throw new GatewayError(
          'NOT_SUPPORTED',
          `Dead letters of kind "${letter.kind}" cannot be retried here`,
        );
      await retrier(letter);
      await store.deadLetters.delete(id);
    },
    async delete(id) {
      if (!(await store.deadLetters.delete(id)))
        throw new GatewayError('DEAD_LETTER_NOT_FOUND', `No dead letter ${id}`);
    },
  };
}

/** The retrier of `event` dead letters: the stored envelope goes to the plugin's handlers once. */
export function eventRetrier(
  deliver: (pluginId: string, event: StoredEvent) => Promise<boolean>,
): DeadLetterRetrier {
  return async (letter) => {
    let delivered: boolean;
    try {
      delivered = await deliver(letter.pluginId, letter.payload as StoredEvent);
    } catch (error) {
      throw new GatewayError(
        'DEAD_LETTER_RETRY_FAILED',
        `Plugin "${letter.pluginId}" failed on the event again: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    if (!delivered) {
      throw new GatewayError(
        'DEAD_LETTER_RETRY_FAILED',
        `Plugin "${letter.pluginId}" is not installed or handles no events`,
      );
    }
  };
}
