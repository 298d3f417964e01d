import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const packageDir = path.resolve(import.meta.dirname, '..');
const run = (mode: string) => {
  const child = spawnSync(
    process.execPath,
    ['--conditions=@zapgate/source', '--import', 'tsx', 'test/fixtures/guarded-process.ts', mode],
    { cwd: packageDir, encoding: 'utf8', timeout: 60_000 },
  );
  return {
    status: child.status,
    lines: child.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
};

describe('process guard (the CLI installs it; harden loads first)', () => {
  it('logs an uncaught exception at fatal with the session whose work threw, then exits 1', () => {
    const { status, lines } = run('throw');
    expect(status).toBe(1);
    expect(lines[1]).toMatchObject({
      level: 'fatal',
      message: 'uncaught exception; exiting',
      sessionId: 'session-1',
      err: 'Error: socket blew up',
    });
  });

  it('runs without the __proto__ accessor; logs an unhandled rejection with its session and keeps running', () => {
    const { status, lines } = run('reject');
    // a "__proto__" key is a plain key, never a prototype
    expect(lines[0]).toEqual({ accessor: false, inherited: null, keys: ['__proto__'] });
    expect(status).toBe(0);
    expect(lines[1]).toMatchObject({
      level: 'error',
      message: 'unhandled promise rejection (contained)',
      sessionId: 'session-1',
      err: 'Error: handler forgot to await',
    });
  });
});
