/** What {@link waitFor} resolves to: the check's value without the falsy cases it waited through. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a truthy value without throwing, and resolves to that value.
 * A throw (a failed `expect`, a not-yet-existing row) counts as "not yet", like a falsy value.
 * After `timeoutMs` it rejects: with the check's last error when it threw (so a failed
 * assertion shows its own diff), otherwise with "timed out after … waiting for `label`".
 * Wait on conditions with it, never with fixed sleeps: it returns as soon as the condition holds.
 *
 * @param timeoutMs How long to keep trying (generous: a busy CI machine is slow). @default 30000
 * @param label What is awaited, named in the timeout error. @default 'a condition'
 * @example
 * const message = await waitFor(() => store.messages.getByWaid(sessionId, chatId, waid));
 * await waitFor(() => expect(fake.session(id).sends).toHaveLength(1));
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 30_000,
  label = 'a condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (let interval = 5; ; interval = Math.min(interval * 2, 50)) {
    let failure: { error: unknown } | null = null;
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      failure = { error };
    }
    if (Date.now() >= deadline) {
      if (failure) throw failure.error;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    }
    await sleep(interval);
  }
}
