import { createWriteStream } from 'node:fs';
import { baileysConnector } from '@zapgate/core/baileys';
import { campaigns } from '@zapgate/plugin-campaigns';
import { buildServer, type ZapgateServer } from '@zapgate/server';
import { startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';
import { printFigures } from './report.js';
import { adminKey, openStore, scratch } from './stack.js';

const auth = { authorization: `Bearer ${adminKey}` };
const SENDER = '15557770001';
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
 * API on a fixed timer at the same rate (what the pipeline carries without the planner).
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
    logger: { level: 'info', stream: createWriteStream('/dev/null') },
  });
  await app.ready();
  try {
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
    for (let i = 0; i < 2 * recipients; i++) sim.contact(phone(i), { autoRead: false });
    const arrivals = new Map<string, number>();
    sim.on('message', (message) => {
      if (!message.ownCopy && !arrivals.has(message.to)) arrivals.set(message.to, Date.now());
    });
    const times = (from: number) =>
      [...Array(recipients).keys()]
        .map((i) => arrivals.get(`${phone(from + i)}@s.whatsapp.net`))
        .filter((t): t is number => t !== undefined)
        .sort((a, b) => a - b);

    // reference: the send API on a fixed timer at the same rate
    const gap = 60_000 / perMinute;
    const t0 = Date.now();
    for (let i = 0; i < recipients; i++) {
      const due = t0 + i * gap;
      if (due > Date.now()) await wait(due - Date.now());
      void call(app, 'POST', `/v1/sessions/${session.id}/messages`, {
        type: 'text',
        to: phone(i),
        text: `Ref ${i}`,
      });
    }
    while (times(0).length < recipients) await wait(100);
    const reference = ratePerMinute(times(0));

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
          reference: { name: 'send API on a fixed timer', value: reference },
          better: 'higher',
        },
        { name: 'campaign rate vs configured', value: measured / perMinute, unit: '×', better: 'higher' },
      ],
      [
        `configured ${perMinute}/min; error ${(error * 100).toFixed(1)}% (${Math.abs(error) <= 0.05 ? 'within' : 'OUTSIDE'} ±5%)`,
        'rate = (n − 1) gaps ÷ (last − first arrival at the simulator)',
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
