import { knownPlugins, loadPlugins } from './plugins.js';
import { settingsTable } from './settings-docs.js';

type Operation = { operationId?: string; summary?: string; 'x-zapgate-auth'?: string };
/** The part of an OpenAPI document the route table reads. */
export interface OpenapiPaths {
  paths: Record<string, Record<string, Operation>>;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];

/** The README's route table: every operation of the OpenAPI document, in its order. */
export function routeTable(doc: OpenapiPaths): string {
  const rows: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const method of methods) {
      const op = operations[method];
      if (!op) continue;
      rows.push(
        `| ${method.toUpperCase()} | \`${path}\` | \`${op.operationId ?? ''}\` | ${op['x-zapgate-auth'] ?? 'admin'} | ${op.summary ?? ''} |`,
      );
    }
  }
  return [
    '| method | path | operationId | auth | summary |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The plugins `ZAPGATE_PLUGINS` can name that load with this server (their package is installed). */
export async function installedPluginList(): Promise<string> {
  const lines: string[] = [];
  for (const [name, known] of Object.entries(knownPlugins)) {
    const loads = await loadPlugins([{ name, options: {} }]).then(
      () => true,
      () => false,
    );
    if (loads)
      lines.push(
        `- \`${name}\` → [\`${known.module}\`](../${known.module.replace('@zapgate/', '')}/README.md)`,
      );
  }
  return lines.join('\n');
}

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
function replaceSection(readme: string, name: string, body: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README has no ${open} … ${close} section`);
  return `${readme.slice(0, start + open.length)}\n\n${body}\n\n${readme.slice(end)}`;
}

/** The server README with its generated sections (settings, plugins, routes) brought up to date. */
export async function renderReadme(readme: string, doc: OpenapiPaths): Promise<string> {
  let out = replaceSection(readme, 'settings', settingsTable());
  out = replaceSection(out, 'plugins', await installedPluginList());
  return replaceSection(out, 'routes', routeTable(doc));
}
