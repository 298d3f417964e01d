import type { ZapgateSchemas } from '@zapgate/sdk';
import { useEffect, useState } from 'preact/hooks';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents } from '../lib/live.js';
import { ErrorNotice, Notice } from './notice.js';
import { QrImage } from './qr-image.js';

type Session = ZapgateSchemas['Session'];
type Qr = { value: string; expiresAt: string };

/** Seconds left until `expiresAt`, ticking every second. */
function useSecondsLeft(expiresAt: string | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!expiresAt) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  return expiresAt ? Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000)) : 0;
}

/** What to say when there is no QR to show: never an empty box. */
export function waitingMessage(session: Pick<Session, 'status' | 'statusReason'>): string {
  switch (session.status) {
    case 'connecting':
      return 'Connecting to WhatsApp… the QR code appears here in a moment.';
    case 'qr':
      return 'Waiting for the QR code from WhatsApp…';
    case 'disconnected':
      // why it stopped (a QR not scanned in time, …), unless it was never connected
      return session.statusReason && session.statusReason !== 'created'
        ? `Not connected: ${session.statusReason}. Press Connect to get a new QR code.`
        : 'Not connected. Press Connect to get a QR code.';
    case 'logged_out':
      return `Logged out${session.statusReason ? ` (${session.statusReason})` : ''}. Press Connect to pair again.`;
    case 'failed':
      return `The connection failed: ${session.statusReason ?? 'no reason given'}. Check the network and the proxy, then press Connect.`;
    default:
      return '';
  }
}

/** QR pairing (refreshed live as WhatsApp rotates it) and pairing by code. */
export function Pairing({ session }: { session: Session }) {
  const [qr, setQr] = useState<Qr | null>(session.qr);
  useEffect(() => setQr(session.qr), [session.qr?.value]);
  useLiveEvents((event) => {
    if (event.sessionId === session.id && event.type === 'session.qr')
      setQr({ value: event.data.qr, expiresAt: event.data.expiresAt });
  });
  const secondsLeft = useSecondsLeft(qr?.expiresAt);
  const showQr = session.status === 'qr' && qr !== null && secondsLeft > 0;
  return (
    <section class="card pairing" aria-labelledby="pairing-title">
      <h2 id="pairing-title">Pair a phone</h2>
      <div class="pairing-body">
        <div class="qr-box" aria-live="polite">
          {showQr ? (
            <>
              <QrImage value={qr.value} />
              <p>
                On the phone: WhatsApp → Linked devices → Link a device, then scan.{' '}
                <span class="countdown">Expires in {secondsLeft} s</span>
              </p>
              <meter
                min={0}
                max={Math.max(60, secondsLeft)}
                value={secondsLeft}
                aria-label="Seconds left to scan"
              />
            </>
          ) : session.status === 'qr' && qr ? (
            <Notice>
              This QR code expired; WhatsApp sends a new one shortly. If none comes, press Restart.
            </Notice>
          ) : (
            <Notice kind={session.status === 'failed' ? 'error' : 'info'}>{waitingMessage(session)}</Notice>
          )}
        </div>
        <PairingCode sessionId={session.id} />
      </div>
    </section>
  );
}

function PairingCode({ sessionId }: { sessionId: string }) {
  const { client } = useAuth();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCode(null);
    try {
      setCode((await call(client.sessions.pairingCode(sessionId, phone))).code);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="pairing-code" onSubmit={submit}>
      <h3>Or pair with a code</h3>
      <label>
        Phone number (international format)
        <input
          type="tel"
          required
          autocomplete="tel"
          placeholder="+15550001111"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Requesting…' : 'Get pairing code'}
      </button>
      {code && (
        <Notice kind="ok">
          Enter <strong class="code">{code}</strong> on the phone: WhatsApp → Linked devices → Link with phone
          number.
        </Notice>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
