import type { Migration } from '@zapgate/core';
import { campaignsTables } from './001-campaigns.js';
import { campaignsSender } from './002-sender.js';
import { campaignsNumberChecks } from './003-number-checks.js';

/** The plugin's migrations, in order. Never edit one that shipped: add a new one. */
export const campaignsMigrations: readonly Migration[] = [
  campaignsTables,
  campaignsSender,
  campaignsNumberChecks,
];
