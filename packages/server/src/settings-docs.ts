import type { TSchema } from '@sinclair/typebox';
import { configEnv, ServerConfig } from './options.js';

/** One server setting as the docs show it. */
export interface SettingDoc {
  variable: string;
  key: string;
  /** The default as words (`3000`, `generated, kept in …`). */
  defaultText: string;
  meaning: string;
  /** The value an `.env` line shows (the default, or empty when there is none to write). */
  envValue: string;
}

type DocSchema = TSchema & { defaultText?: string; envExample?: string; default?: unknown };

const plain = (value: unknown) => (Array.isArray(value) ? value.join(',') : String(value));

/** Every setting of {@link ServerConfig} with its variable, default and meaning, in schema order. */
export function settingDocs(): SettingDoc[] {
  const variableOf = new Map(Object.entries(configEnv).map(([variable, key]) => [key, variable]));
  return Object.entries(ServerConfig.properties).map(([key, schema]) => {
    const s = schema as DocSchema;
    const variable = variableOf.get(key as keyof ServerConfig);
    if (!variable) throw new Error(`setting ${key} has no environment variable in configEnv`);
    if (!s.description) throw new Error(`setting ${key} has no description`);
    const hasDefault = s.default !== undefined;
    return {
      variable,
      key,
      defaultText: s.defaultText ?? (hasDefault ? `\`${plain(s.default)}\`` : 'none'),
      meaning: s.description,
      envValue: s.envExample ?? (hasDefault ? plain(s.default) : ''),
    };
  });
}

/** `.env.example`: every setting, commented out, with its default. */
export function envExample(): string {
  const lines = [
    '# Zapgate server settings, each with its default. Generated from packages/server/src/options.ts',
    '# by `pnpm --filter @zapgate/server openapi` (a test fails when it drifts): do not edit by hand.',
    "# Set them in the environment (with compose.yaml: the zapgate service's `environment`).",
  ];
  for (const doc of settingDocs()) {
    lines.push(
      '',
      `# ${doc.meaning.replaceAll('`', '')}`,
      `# default: ${doc.defaultText.replaceAll('`', '')}`,
    );
    lines.push(`# ${doc.variable}=${doc.envValue}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The README's configuration table. */
export function settingsTable(): string {
  const rows = settingDocs().map(
    (doc) => `| \`${doc.variable}\` | \`${doc.key}\` | ${doc.defaultText} | ${doc.meaning} |`,
  );
  return ['| variable | key | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
