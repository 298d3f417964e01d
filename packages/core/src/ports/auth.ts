/**
 * Storage of one WhatsApp companion's credentials and Signal keys. Values are plain JSON
 * (core encodes Buffers with Baileys' BufferJSON before they get here).
 */
export interface AuthRepo {
  /** The creds of a session, `null` when it was never paired. A read failure throws. */
  getCreds(sessionId: string): Promise<unknown | null>;
  setCreds(sessionId: string, creds: unknown): Promise<void>;
  /** The keys of one type by id; missing ids are absent from the result. */
  getKeys(sessionId: string, type: string, ids: readonly string[]): Promise<Record<string, unknown>>;
  /**
   * Upserts every value and deletes every `null`, all in one transaction. Repeating the same
   * call leaves the same state.
   */
  setKeys(sessionId: string, data: Record<string, Record<string, unknown | null>>): Promise<void>;
  /** Deletes creds and keys of a session in one transaction. */
  clear(sessionId: string): Promise<void>;
}
