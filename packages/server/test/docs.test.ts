import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/options.js';
import { loadPlugins } from '../src/plugins.js';
import { settingDocs } from '../src/settings-docs.js';
import { docFiles, generatedDocs, unpadTables } from '../src/write-docs.js';

const regenerate = 'run `pnpm --filter @zapgate/server openapi`';

describe('generated docs', () => {
  it(`the README's settings, plugins and route table are current (${regenerate})`, async () => {
    const committed = await readFile(docFiles.readme, 'utf8');
    expect(unpadTables(committed)).toBe(unpadTables((await generatedDocs()).readme));
  });

  it(`.env.example is current (${regenerate})`, async () => {
    expect(await readFile(docFiles.envExample, 'utf8')).toBe((await generatedDocs()).envExample);
  });

  it('lists every setting, and the values it shows are the real defaults', async () => {
    const text = await readFile(docFiles.envExample, 'utf8');
    const shown = Object.fromEntries(
      [...text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(Object.keys(shown).sort()).toEqual(
      settingDocs()
        .map((d) => d.variable)
        .sort(),
    );
    // uncommented as they are, they configure exactly the defaults
    expect(loadConfig({ env: shown })).toEqual(loadConfig({ env: {} }));
  });

  it('lists only plugins that are installed, and each of them loads', async () => {
    const readme = await readFile(docFiles.readme, 'utf8');
    const section = readme.slice(
      readme.indexOf('<!-- generated:plugins -->'),
      readme.indexOf('<!-- /generated:plugins -->'),
    );
    const names = [...section.matchAll(/^- `(\w+)`/gm)].map((m) => m[1] as string);
    expect(names).toContain('webhooks');
    const plugins = await loadPlugins(names.map((name) => ({ name, options: {} })));
    expect(plugins.map((p) => p.id).sort()).toEqual([...names].sort());
  });

  it('the route table lists every route of the OpenAPI document with who may call it', async () => {
    const readme = unpadTables(await readFile(docFiles.readme, 'utf8'));
    const doc = JSON.parse(await readFile(docFiles.openapi, 'utf8'));
    const operations = Object.values(
      doc.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(operations.length).toBeGreaterThan(60);
    for (const id of operations) expect(readme).toContain(`|\`${id}\`|`);
    expect(readme).toContain('|GET|`/health/ready`|`getReadiness`|public|');
    expect(readme).toContain('|POST|`/v1/sessions`|`createSession`|admin|');
  });
});
