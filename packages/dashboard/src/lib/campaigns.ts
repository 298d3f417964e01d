import type { operations } from '@zapgate/sdk';

type Ok<O extends keyof operations> = operations[O]['responses'] extends {
  200: { content: { 'application/json': infer B } };
}
  ? B
  : never;
/** A campaign as `GET /v1/campaigns/{id}` shows it. */
export type Campaign = Ok<'getCampaign'>;

/** Recipients that still wait for their turn (or are on their way). */
const waiting = ['pending', 'sending'];
/** Recipients WhatsApp took a message for. */
const reached = ['sent', 'delivered', 'read', 'replied'];

/** Counts for a progress bar: how many are done (whatever the outcome) and how many reached. */
export function campaignProgress(total: number, counts: Record<string, number>) {
  const sum = (keys: string[]) => keys.reduce((n, key) => n + (counts[key] ?? 0), 0);
  const done = Math.max(0, total - sum(waiting));
  return {
    done,
    reached: sum(reached),
    failed: counts.failed ?? 0,
    percent: total === 0 ? 100 : Math.round((done / total) * 100),
  };
}

/** The lifecycle actions a campaign in `status` offers. */
export function campaignActions(status: Campaign['status']): Array<'start' | 'pause' | 'resume' | 'cancel'> {
  switch (status) {
    case 'draft':
      return ['start', 'cancel'];
    case 'scheduled':
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}
