import type { operations } from '@zapgate/sdk';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Field, fieldsOf, type JsonSchema } from './schema-form.js';

type Ok<O extends keyof operations> = operations[O]['responses'] extends {
  200: { content: { 'application/json': infer B } };
}
  ? B
  : never;
/** An installed plugin as `GET /v1/plugins` lists it. */
export type PluginInfo = Ok<'listPlugins'>['items'][number];
/** A plugin's settings of one session (`GET /v1/sessions/{id}/plugins/{pluginId}`). */
export type PluginSettingsView = Ok<'getPluginSettings'>;

/** The installed plugins, loaded once at sign-in (`null` while loading or when refused). */
export const PluginsContext = createContext<PluginInfo[] | null>(null);

/** The installed plugins (`null` until loaded). */
export function usePlugins(): PluginInfo[] | null {
  return useContext(PluginsContext);
}

/** Whether a plugin is installed. */
export function useHasPlugin(id: string): boolean {
  return usePlugins()?.some((p) => p.id === id) ?? false;
}

/** A validation problem as the server lists it in `details`: a JSON pointer and a sentence. */
type Problem = { path: string; message: string };

const isProblem = (p: unknown): p is Problem =>
  typeof p === 'object' &&
  p !== null &&
  typeof (p as Problem).path === 'string' &&
  typeof (p as Problem).message === 'string';

/**
 * The server's validation problems by form field (`/inbox/id` → `inbox.id`; a problem inside a
 * list, `/ignoreJids/3`, belongs to the list's field). Problems no field owns are under `''`.
 * Several problems of one field are joined.
 */
export function problemsByField(schema: JsonSchema, details: unknown): Record<string, string> {
  const keys = new Set<string>();
  const collect = (fields: Field[]) => {
    for (const f of fields) {
      if (f.kind === 'object') collect(f.fields ?? []);
      else keys.add(f.path.join('.'));
    }
  };
  collect(fieldsOf(schema));
  const out: Record<string, string> = {};
  const add = (key: string, message: string) => {
    const sentence = message.charAt(0).toLowerCase() + message.slice(1);
    out[key] = out[key] && !out[key].includes(sentence) ? `${out[key]}; ${sentence}` : sentence;
  };
  for (const problem of Array.isArray(details) ? details.filter(isProblem) : []) {
    const parts = problem.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let owner = '';
    for (let n = parts.length; n > 0; n--) {
      const key = parts.slice(0, n).join('.');
      if (keys.has(key)) {
        owner = key;
        break;
      }
    }
    add(owner, owner ? problem.message : `${problem.path || 'settings'}: ${problem.message}`);
  }
  return out;
}
