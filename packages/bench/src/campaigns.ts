import { createWriteStream } from 'node:fs';
import { baileysConnector } from '@zapgate/core/baileys';
import { campaigns } from '@zapgate/plugin-campaigns';
import { buildServer, type ZapgateServer } from '@zapgate/server';
import { startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';
import { printFigures } from './report.js';
import { adminKey, openStore, scratch } from './stack.js';

const auth = { authorization: `Bearer ${adminKey}` };
const SENDER = '15557770001';
const PROBE = '14155551999';
/** Sends on their way at once: the campaign sender's bound per session, used for the reference too. */
const maxInFlight = 16;
/** Valid (libphonenumber) US numbers, one simulated contact each. */
const phone = (i: number) => `1415555${String(2000 + i).padStart(4, '0')}`;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(app: ZapgateServer, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Messages per minute over arrivals: (n − 1) gaps over the time from the first to the last. */
const ratePerMinute = (arrivals: number[]) =>
  arrivals.length < 2 ? Number.NaN : ((arrivals.length - 1) * 60_000) / (arrivals.at(-1)! - arrivals[0]!);

/**
 * Benchmark: rate accuracy of a campaign. `recipients` simulated contacts get one message each
 * from a campaign paced at `perMinute` (default jitter, typing on, no pauses, caps or warm-up),
 * sent by the server through real Baileys to wa-sim; the rate is measured from the arrival
 * times at the simulator. Reference in the same run: the same number of sends through the send
 * API on a fixed timer at the same rate, at most as many in flight as the campaign allows
 * (what the pipeline carries without the planner): when the machine cannot carry the
 * configured rate, the reference says so too.
 */
export async function campaignsBench({ recipients, perMinute }: { recipients: number; perMinute: number }) {
  const sim = await startSimulator();
  const untrust = trustSimulatorRoot(sim);
  const db = await scratch('postgres');
  const store = openStore(db);
  await store.init();
  const app = buildServer({
    adminKey,
    store,
    connector: baileysConnector({ ...sim.baileysConfig() }),
    plugins: [campaigns()],
    logger: { level: 'info', stream: createWriteStream(process.env.BENCH_LOG ?? '/dev/null') },
  });
  await app.ready();
  try {
    // contacts first: creating 2,000 (their Signal keys) blocks this process for a long while, and
    // a connected socket then misses its keep-alive and reconnects in the middle of the run
    for (let i = 0; i < 2 * recipients; i++) sim.contact(phone(i), { autoRead: false });
    const session = await call(app, 'POST', '/v1/sessions', { name: 'bench-campaigns' });
    await call(app, 'POST', `/v1/sessions/${session.id}/connect`);
    let qr: string | undefined;
    while (!qr) {
      const res = await app.inject({ url: `/v1/sessions/${session.id}/qr`, headers: auth });
      if (res.statusCode === 200) qr = res.json().qr;
      else await wait(50);
    }
    await sim.scanQr(qr, { phoneNumber: SENDER });
    while ((await call(app, 'GET', `/v1/sessions/${session.id}`)).status !== 'connected') await wait(50);
    // right after pairing WhatsApp asks for a restart: sends answer 503 until the new socket is up
    sim.contact(PROBE);
    for (;;) {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/sessions/${session.id}/messages`,
        headers: auth,
        payload: { type: 'text', to: PROBE, text: 'probe' },
      });
      if (res.statusCode === 202) break;
      if (res.statusCode !== 503) throw new Error(`probe send: ${res.statusCode} ${res.body}`);
      await wait(100);
    }
    const arrivals = new Map<string, number>();
    sim.on('message', (message) => {
      if (!message.ownCopy && !arrivals.has(message.to)) arrivals.set(message.to, Date.now());
    });
    const times = (from: number) =>
      [...Array(recipients).keys()]
        .map((i) => arrivals.get(`${phone(from + i)}@s.whatsapp.net`))
        .filter((t): t is number => t !== undefined)
        .sort((a, b) => a - b);

    // reference: the send API on a fixed timer at the same rate, at most `maxInFlight` requests
    // on their way (the campaign's own bound: an unbounded backlog on a busy machine starves
    // the socket's keep-alive); a 503 or 409 while the socket reconnects is retried with the same key
    let retries = 0;
    let logins = 0;
    sim.on('login', () => logins++);
    const sendRef = async (i: number) => {
      for (;;) {
        const res = await app.inject({
          method: 'POST',
          url: `/v1/sessions/${session.id}/messages`,
          headers: { ...auth, 'idempotency-key': `ref-${i}` },
          payload: { type: 'text', to: phone(i), text: `Ref ${i}` },
        });
        if (res.statusCode === 202) return;
        const reconnecting = res.statusCode === 409 && res.json().code === 'SESSION_NOT_CONNECTED';
        if (res.statusCode !== 503 && res.statusCode !== 429 && !reconnecting)
          throw new Error(`reference send ${i}: ${res.statusCode} ${res.body}`);
        retries++;
        await wait(200);
      }
    };
    const gap = 60_000 / perMinute;
    const inFlight = new Set<Promise<void>>();
    const t0 = Date.now();
    for (let i = 0; i < recipients; i++) {
      const due = t0 + i * gap;
      if (due > Date.now()) await wait(due - Date.now());
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const sending: Promise<void> = sendRef(i).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    await Promise.all(inFlight);
    while (times(0).length < recipients) await wait(100);
    const reference = ratePerMinute(times(0));
    const referenceLogins = logins;

    const created = await call(app, 'POST', '/v1/campaigns', {
      name: 'bench',
      sessionIds: [session.id],
      audience: {
        recipients: [...Array(recipients).keys()].map((i) => ({ phone: `+${phone(recipients + i)}` })),
      },
      content: { variants: [{ text: '{Hi|Hello} {{phone}}, a campaign message' }] },
      pacing: {
        messagesPerMinute: perMinute,
        pauseEvery: 0,
        dailyCap: 1_000_000,
        warmup: { enabled: false },
      },
    });
    await call(app, 'POST', `/v1/campaigns/${created.campaign.id}/start`);
    while (times(recipients).length < recipients) await wait(100);
    const measured = ratePerMinute(times(recipients));
    const error = (measured - perMinute) / perMinute;
    printFigures(
      `Campaign pacing: ${recipients} recipients at ${perMinute}/min on wa-sim (real Baileys, Postgres)`,
      [
        {
          name: 'campaign rate',
          value: measured,
          unit: 'msg/min',
          reference: { name: `send API on a fixed timer (≤ ${maxInFlight} in flight)`, value: reference },
          better: 'higher',
        },
        { name: 'campaign rate vs configured', value: measured / perMinute, unit: '×', better: 'higher' },
      ],
      [
        `configured ${perMinute}/min; error ${(error * 100).toFixed(1)}% (${Math.abs(error) <= 0.05 ? 'within' : 'OUTSIDE'} ±5%)`,
        'rate = (n − 1) gaps ÷ (last − first arrival at the simulator)',
        `reference retries while the socket reconnected: ${retries}`,
        `socket reconnects during the reference: ${referenceLogins}, during the campaign: ${logins - referenceLogins}`,
      ],
    );
  } finally {
    await app.close();
    await store.close();
    await sim.close();
    untrust();
    await db.drop();
  }
}
