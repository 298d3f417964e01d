import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/index.js';

const preload = fileURLToPath(new URL('../dist/preload.js', import.meta.url));

/** A port nothing listens on (taken, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `node --import preload -e …` with the simulator's admin URL; stderr is watched as it comes. */
function runWithPreload(port: number, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', preload, '-e', 'console.log("gateway started")'], {
    env: { ...process.env, ZAPGATE_SIM_ADMIN_URL: `http://127.0.0.1:${port}/admin`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrSeen: Array<[string, () => void]> = [];
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const [text, resolve] of stderrSeen) if (stderr.includes(text)) resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    exited,
    output: () => ({ stdout, stderr }),
    saw: (text: string) =>
      new Promise<void>((resolve) => {
        if (stderr.includes(text)) resolve();
        else stderrSeen.push([text, resolve]);
      }),
  };
}

describe('the preload of a gateway started before the simulator', () => {
  it('waits for the simulator with a message, then starts the gateway', async () => {
    const port = await freePort();
    const run = runWithPreload(port);
    await run.saw('waiting for the WhatsApp simulator');
    const sim = await startSimulator({ port });
    try {
      expect(await run.exited).toBe(0);
      expect(run.output().stdout).toContain('gateway started');
      expect(run.output().stderr).toContain('the WhatsApp simulator is up');
    } finally {
      await sim.close();
    }
  });

  it('gives up after ZAPGATE_SIM_WAIT_MS with a sentence saying to start the simulator first', async () => {
    const port = await freePort();
    const run = runWithPreload(port, { ZAPGATE_SIM_WAIT_MS: '300' });
    expect(await run.exited).toBe(1);
    const { stdout, stderr } = run.output();
    expect(stdout).not.toContain('gateway started');
    expect(stderr).toContain(
      `the WhatsApp simulator at http://127.0.0.1:${port}/admin did not answer within 300 ms`,
    );
    expect(stderr).toContain('Start the simulator first (`npx --yes pnpm@10 sim` in another terminal)');
    expect(stderr).not.toContain('ECONNREFUSED');
  });
});
