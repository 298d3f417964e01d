import type { Migration } from '@zapgate/core';
import { chatwootTables } from './001-chatwoot.js';

/** The plugin's migrations, in order (never edit one that shipped: add the next). */
export const chatwootMigrations: readonly Migration[] = [chatwootTables];
