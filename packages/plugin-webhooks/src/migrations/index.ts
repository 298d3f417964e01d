import type { Migration } from '@zapgate/core';
import { webhooksTables } from './001-webhooks.js';

/** The plugin's migrations, in order. Never edit one that shipped: add a new one. */
export const webhooksMigrations: readonly Migration[] = [webhooksTables];
