import { afterAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

// PGlite runs in this thread and answers through promises only: without a yield, a loop of
// queries (a consumer draining a backlog) starves timers and sockets until it ends — a
// webhook receiver got nothing for minutes while the plugin fanned out 1,000 events.
describe('embedded PGlite', () => {
  const store = postgresStore({ dataDir: 'memory://' });
  afterAll(() => store.close());

  it('lets timers and I/O run between queries', async () => {
    await store.init();
    let done = 0;
    let timerSawDone: number | null = null;
    setTimeout(() => {
      timerSawDone = done;
    }, 0);
    for (let i = 0; i < 200; i++) {
      await store.sql.query('SELECT 1');
      done++;
    }
    expect(timerSawDone).not.toBeNull();
    expect(timerSawDone).toBeLessThan(200);
  });
});
