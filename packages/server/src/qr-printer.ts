import { followEvents, type Store, type StoredEvent } from '@zapgate/core';

/** Options of {@link qrPrinter}. */
export interface QrPrinterOptions {
  /** The store whose durable event log is watched for `session.qr` events. */
  store: Store;
  /** Where QR codes are written. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Fallback poll interval when the store does not wake the printer. @default 2000 */
  pollMs?: number;
  /** Called when reading the log or rendering fails (the printer keeps going). @default ignore */
  onError?: (error: unknown) => void;
}

/** A running {@link qrPrinter}. */
export interface QrPrinter {
  /** Stops watching; resolves once the current batch is written. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Prints every new QR code of every session to a terminal, with the session's name, by
 * tailing the durable event log from its current head (`session.qr` events). QR codes that
 * expired before they could be printed are skipped; of several queued QRs of one session only
 * the newest is printed.
 *
 * @example
 * const printer = qrPrinter({ store: app.gateway.store });
 * // ...
 * await printer.stop();
 */
export function qrPrinter(options: QrPrinterOptions): QrPrinter {
  const { store } = options;
  const out = options.out ?? process.stdout;
  let stopped = false;

  const printBatch = async (events: StoredEvent[]) => {
    const newest = new Map<string, StoredEvent>();
    for (const event of events) if (event.sessionId) newest.set(event.sessionId, event);
    for (const [sessionId, event] of newest) {
      const { qr, expiresAt } = event.data as { qr: string; expiresAt: string };
      if (Date.parse(expiresAt) <= Date.now()) continue;
      const session = await store.sessions.get(sessionId);
      if (!session || stopped) continue;
      out.write(await renderQr(session.name, qr, expiresAt));
    }
  };

  const follower = followEvents({
    store,
    types: ['session.qr'],
    batchSize: 100,
    pollIntervalMs: options.pollMs ?? 2000,
    onEvents: printBatch,
    onError: (error) => options.onError?.(error),
  });

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await follower.stop();
      })();
      return stopping;
    },
  };
}

/** The text written for one QR: a header with the session name and the QR in block characters. */
export async function renderQr(sessionName: string, qr: string, expiresAt: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  const code = await QRCode.toString(qr, { type: 'terminal', small: true });
  const until = new Date(expiresAt).toLocaleTimeString();
  return `\n  Session "${sessionName}": scan with WhatsApp → Linked devices (expires ${until})\n\n${code}\n`;
}
