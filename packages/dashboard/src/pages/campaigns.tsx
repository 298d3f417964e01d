import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { type Campaign, campaignActions, campaignProgress } from '../lib/campaigns.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import { CreateCampaign } from './campaign-create.js';

const labels = { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel' } as const;

/**
 * Campaigns (when the campaigns plugin is installed), newest first, with progress moving live
 * from `campaign.progress` and `campaign.status` events, and their lifecycle actions.
 */
export function CampaignsPage() {
  const { client } = useAuth();
  const { data, setData, error, reload } = useLiveResource(
    async () => (await call(client.api.GET('/v1/campaigns', { params: { query: { limit: 50 } } }))).items,
    [],
  );
  const [etas, setEtas] = useState<Record<string, string | null>>({});
  const replace = (campaign: Campaign) =>
    setData((list) => list?.map((c) => (c.id === campaign.id ? campaign : c)));
  useLiveEvents(async (event) => {
    if (event.type === 'campaign.progress') {
      const { campaignId, total, counts, eta } = event.data;
      setEtas((all) => ({ ...all, [campaignId]: eta }));
      setData((list) => list?.map((c) => (c.id === campaignId ? { ...c, total, counts } : c)));
    } else if (event.type === 'campaign.status') {
      // a new campaign, or one that changed: read it again (its counts are final at the end)
      if (!data?.some((c) => c.id === event.data.campaignId)) return void reload();
      const got = await client.api.GET('/v1/campaigns/{campaignId}', {
        params: { path: { campaignId: event.data.campaignId } },
      });
      if (got.data) replace(got.data);
    }
  });
  return (
    <main>
      <h1>Campaigns</h1>
      <CreateCampaign
        onCreated={(campaign) =>
          setData((list) => [campaign, ...(list ?? []).filter((c) => c.id !== campaign.id)])
        }
      />
      <ErrorNotice error={error} />
      {data === undefined && !error && <Notice>Loading campaigns…</Notice>}
      {data?.length === 0 && <Notice>No campaign yet.</Notice>}
      {data && data.length > 0 && (
        <ul class="campaigns">
          {data.map((campaign) => (
            <CampaignItem
              key={campaign.id}
              campaign={campaign}
              eta={etas[campaign.id] ?? null}
              onChange={replace}
            />
          ))}
        </ul>
      )}
    </main>
  );
}

function CampaignItem({
  campaign,
  eta,
  onChange,
}: {
  campaign: Campaign;
  eta: string | null;
  onChange(campaign: Campaign): void;
}) {
  const { client } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const progress = campaignProgress(campaign.total, campaign.counts);
  const act = async (action: 'start' | 'pause' | 'resume' | 'cancel') => {
    setError(null);
    try {
      onChange(
        await call(
          client.api.POST(`/v1/campaigns/{campaignId}/${action}`, {
            params: { path: { campaignId: campaign.id } },
          }),
        ),
      );
    } catch (e) {
      setError(describeError(e));
    }
  };
  const barId = `campaign-${campaign.id}-progress`;
  return (
    <li class="card" data-campaign={campaign.name} data-campaign-status={campaign.status}>
      <div class="row spread">
        <h2>{campaign.name}</h2>
        <span class={`badge badge-campaign-${campaign.status}`}>{campaign.status}</span>
      </div>
      <label for={barId}>
        {progress.done} of {campaign.total} done ({progress.percent}%): {progress.reached} sent,{' '}
        {progress.failed} failed
      </label>
      <progress
        id={barId}
        max={Math.max(1, campaign.total)}
        value={campaign.total === 0 ? 1 : progress.done}
      />
      <p class="hint">
        {Object.entries(campaign.counts)
          .filter(([, n]) => n > 0)
          .map(([status, n]) => `${status.replace('_', ' ')} ${n}`)
          .join(' · ') || 'no recipient'}
        {campaign.statusReason && ` — ${campaign.statusReason}`}
        {eta && campaign.status === 'running' && ` — ends about ${new Date(eta).toLocaleTimeString()}`}
      </p>
      <div class="row">
        {campaignActions(campaign.status).map((action) =>
          action === 'cancel' ? (
            <ConfirmButton
              key={action}
              label="Cancel"
              title={`Cancel ${campaign.name}?`}
              confirmLabel="Cancel the campaign"
              cancelLabel="Keep it"
              danger
              onConfirm={() => void act('cancel')}
            >
              <p>Recipients not sent to yet are skipped. A cancelled campaign cannot be restarted.</p>
            </ConfirmButton>
          ) : (
            <button key={action} type="button" onClick={() => void act(action)}>
              {labels[action]}
            </button>
          ),
        )}
      </div>
      <ErrorNotice error={error} />
    </li>
  );
}
