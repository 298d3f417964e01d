import type { Migration } from '@zapgate/core';
import { webhooksTables } from './001-webhooks.js';
import { webhooksOnJobs } from './002-jobs.js';

/** The plugin's migrations, in order. Never edit one that shipped: add a new one. */
export const webhooksMigrations: readonly Migration[] = [webhooksTables, webhooksOnJobs];
