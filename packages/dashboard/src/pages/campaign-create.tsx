import { useState } from 'preact/hooks';
import { ErrorNotice, Notice } from '../components/notice.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import type { Campaign } from '../lib/campaigns.js';
import { useLiveResource } from '../lib/live.js';

/**
 * The audience as the campaigns plugin takes it: CSV text when the first line has a comma (a
 * header row naming the phone column; other columns become `{{variables}}`), else one number a line.
 */
export function audienceOf(text: string): { csv: string } | { recipients: { phone: string }[] } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines[0]?.includes(',')) return { csv: `${lines.join('\n')}\n` };
  return { recipients: lines.map((phone) => ({ phone })) };
}

/** A form for a new campaign (a draft): name, sending sessions, one text, the audience. */
export function CreateCampaign({ onCreated }: { onCreated(campaign: Campaign): void }) {
  const { client } = useAuth();
  const sessions = useLiveResource(async () => (await call(client.sessions.list())).items, []);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [audience, setAudience] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setReport(null);
    if (picked.length === 0) return setError('Pick at least one session to send from.');
    setBusy(true);
    try {
      const created = await call(
        client.api.POST('/v1/campaigns', {
          body: {
            name: name.trim(),
            sessionIds: picked,
            content: { variants: [{ text }] },
            audience: audienceOf(audience),
          },
        }),
      );
      const { added, duplicates } = created.audience;
      setReport(
        `Created “${created.campaign.name}” as a draft with ${added} recipient(s)` +
          (duplicates ? ` (${duplicates} duplicate(s) left out)` : '') +
          '. Start it below.',
      );
      onCreated(created.campaign);
      setName('');
      setText('');
      setAudience('');
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="card">
      <summary>New campaign</summary>
      <form class="campaign-form" onSubmit={submit}>
        <label>
          Campaign name
          <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>Send from</legend>
          <ErrorNotice error={sessions.error} />
          {sessions.data?.length === 0 && <p class="hint">No session yet.</p>}
          {sessions.data?.map((s) => (
            <label class="check" key={s.id}>
              <input
                type="checkbox"
                checked={picked.includes(s.id)}
                onChange={(e) =>
                  setPicked((list) =>
                    e.currentTarget.checked ? [...list, s.id] : list.filter((id) => id !== s.id),
                  )
                }
              />
              {s.name} ({s.status})
            </label>
          ))}
        </fieldset>
        <label>
          Message
          <textarea
            required
            rows={3}
            maxLength={4096}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby="campaign-text-help"
          />
          <small id="campaign-text-help">
            {'{{name}}'} inserts a column of the audience; {'{Hi|Hello}'} picks one at random.
          </small>
        </label>
        <label>
          Recipients
          <textarea
            required
            rows={5}
            value={audience}
            onInput={(e) => setAudience(e.currentTarget.value)}
            aria-describedby="campaign-audience-help"
          />
          <small id="campaign-audience-help">
            One number a line in international format (+14155550100), or CSV with a header row (a phone column
            and your variables).
          </small>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create draft'}
        </button>
        <ErrorNotice error={error} />
        {report && <Notice kind="ok">{report}</Notice>}
      </form>
    </details>
  );
}
