import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './stack.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scripts: Record<string, string> = JSON.parse(
  readFileSync(path.join(repo, 'package.json'), 'utf8'),
).scripts;

/** What a root script runs once its build step is done (the part after the last `&&`). */
const runStep = (name: string) => {
  const script = scripts[name];
  if (!script) throw new Error(`no root script ${name}`);
  return script.split(' && ').at(-1) as string;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A terminal: a shell running `command` in `cwd`, its output kept. */
interface Terminal {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}
const terminals: Terminal[] = [];

function terminal(command: string, cwd: string, env: Record<string, string>): Terminal {
  const child = spawn('sh', ['-c', command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the shell and node stop together
  });
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  const t: Terminal = {
    child,
    output: () => text,
    waitFor: (pattern) =>
      waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}:\n${text}`);
          return pattern.exec(text);
        },
        240_000, // a cold start on a busy 2-core machine
        `${pattern} in the output of ${command}`,
      ),
  };
  terminals.push(t);
  return t;
}

/** A copy of the repository root to run the scripts in: its packages, its own `./data`. */
async function checkout(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'zapgate-quick-start-'));
  await symlink(path.join(repo, 'packages'), path.join(root, 'packages'));
  await symlink(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

const serverEnv = (port: number) => ({
  PORT: String(port),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  ZAPGATE_PRINT_QR: 'false',
  ZAPGATE_ADMIN_KEY: '',
  ZAPGATE_DATA_DIR: '',
  DATABASE_URL: '',
});

afterEach(async () => {
  for (const t of terminals.splice(0)) {
    if (t.child.exitCode !== null || t.child.pid === undefined) continue;
    const exited = new Promise((resolve) => t.child.once('exit', resolve));
    process.kill(-t.child.pid, 'SIGTERM');
    await exited;
  }
});

describe('the README quick start, run as the root scripts run it', () => {
  it('`pnpm start` keeps its database and admin key in ./data of the repository root', async () => {
    const root = await checkout();
    try {
      const port = await freePort();
      const server = terminal(runStep('start'), root, serverEnv(port));
      const [, key] = await server.waitFor(/│ (zga_\S+)/);
      await server.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      expect((await readFile(path.join(root, 'data', 'admin-key'), 'utf8')).trim()).toBe(key);
      expect((await stat(path.join(root, 'data', 'pglite'))).isDirectory()).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 600_000);

  it('`pnpm start:sim` started before `pnpm sim` waits for it, uses ./data, and pairs by QR', async () => {
    const root = await checkout();
    try {
      const simPort = await freePort();
      const port = await freePort();
      // the documented ports, moved to free ones so the test runs beside a developer's simulator
      const onPort = (command: string) => command.replaceAll('7100', String(simPort));
      const server = terminal(onPort(runStep('start:sim')), root, serverEnv(port));
      await server.waitFor(/waiting for the WhatsApp simulator/);
      terminal(onPort(runStep('sim')), root, {});
      const [, key] = await server.waitFor(/│ (zga_\S+)/);
      await server.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      expect((await readFile(path.join(root, 'data', 'admin-key'), 'utf8')).trim()).toBe(key);

      const zg = `http://127.0.0.1:${port}`;
      const api = async (method: string, url: string, body?: unknown) => {
        const response = await fetch(zg + url, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: await response.json() };
      };
      const created = await api('POST', '/v1/sessions', { name: 'demo' });
      expect(created.status).toBe(201);
      const sid = created.body.id as string;
      expect((await api('POST', `/v1/sessions/${sid}/connect`)).status).toBe(200);
      // right after connect, as the README does it
      const qr = await api('GET', `/v1/sessions/${sid}/qr?wait=10`);
      expect(qr.status).toBe(200);
      const scan = await fetch(`http://127.0.0.1:${simPort}/admin/pair/qr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr: qr.body.qr, phoneNumber: '15550001111' }),
      });
      expect(scan.status).toBe(200);
      await waitFor(
        async () => ((await api('GET', `/v1/sessions/${sid}`)).body.status === 'connected' ? true : null),
        60_000,
        'the session to connect',
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 600_000);
});
