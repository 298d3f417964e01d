import type http from 'node:http';
import type { Simulator } from '../simulator.js';

type Json = Record<string, unknown>;

const readJson = (req: http.IncomingMessage): Promise<Json> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(text ? (JSON.parse(text) as Json) : {});
      } catch (error) {
        reject(error);
      }
    });
  });

const send = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify(body, (_key, value) =>
      value?.type === 'Buffer' ? Buffer.from(value.data).toString('base64') : value,
    ),
  );
};

const str = (body: Json, key: string): string | undefined =>
  typeof body[key] === 'string' ? (body[key] as string) : undefined;

const strings = (body: Json, key: string): string[] | undefined =>
  Array.isArray(body[key]) ? (body[key] as unknown[]).map(String) : undefined;

const num = (body: Json, key: string): number | undefined =>
  typeof body[key] === 'number' ? (body[key] as number) : undefined;

/**
 * JSON admin API under `/admin` (see the README for the routes). Errors come back as
 * `{ code, message }` with status 400 or 404.
 */
export const handleAdminRequest = async (
  sim: Simulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://sim');
  const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
  try {
    const body = req.method === 'POST' ? await readJson(req) : {};
    const result = await dispatch(sim, route, body, url);
    if (result === undefined) return send(res, 404, { code: 'SIM_ROUTE_NOT_FOUND', message: route });
    send(res, 200, result);
  } catch (error) {
    send(res, 400, {
      code: 'SIM_BAD_REQUEST',
      message: error instanceof Error ? error.message : String(error),
    });
  }
};

const dispatch = async (sim: Simulator, route: string, body: Json, url: URL): Promise<unknown> => {
  const device = str(body, 'deviceJid') ?? '';
  switch (route) {
    case 'GET /admin':
    case 'GET /admin/info':
      return { url: sim.url, rootKey: sim.rootPublicKeyBase64, mediaCertificate: sim.mediaCertificate };
    case 'GET /admin/accounts':
      return sim.accounts();
    case 'GET /admin/devices':
      return sim.devices();
    case 'GET /admin/contacts':
      return sim
        .listContacts()
        .map((c) => ({ phoneNumber: c.phoneNumber, jid: c.jid, lid: c.lid, name: c.name }));
    case 'GET /admin/messages': {
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return sim.messages.slice(-limit);
    }
    case 'POST /admin/pair/qr':
      return sim.scanQr(str(body, 'qr') ?? '', {
        phoneNumber: str(body, 'phoneNumber'),
        pushName: str(body, 'pushName'),
      });
    case 'POST /admin/pair/code':
      return sim.enterPairingCode(str(body, 'code') ?? '', { phoneNumber: str(body, 'phoneNumber') });
    case 'POST /admin/contacts': {
      const contact = sim.contact(str(body, 'phoneNumber') ?? '', {
        name: str(body, 'name'),
        deliveryDelayMs: num(body, 'deliveryDelayMs'),
        readDelayMs: num(body, 'readDelayMs'),
        autoRead: typeof body.autoRead === 'boolean' ? body.autoRead : undefined,
      });
      return { phoneNumber: contact.phoneNumber, jid: contact.jid, lid: contact.lid, name: contact.name };
    }
    case 'POST /admin/contacts/send-text': {
      const contact = sim.contact(str(body, 'from') ?? '');
      const id = await contact.sendText(str(body, 'to') ?? '', str(body, 'text') ?? '', {
        quotedId: str(body, 'quotedId'),
      });
      return { id };
    }
    case 'GET /admin/groups':
      return sim.listGroups();
    case 'POST /admin/groups':
      return sim.createGroup({
        subject: str(body, 'subject') ?? '',
        participants: strings(body, 'participants') ?? [],
        owner: str(body, 'owner'),
        admins: strings(body, 'admins'),
        description: str(body, 'description'),
      });
    case 'POST /admin/faults/logout':
      sim.logout(device);
      return { ok: true };
    case 'POST /admin/faults/replace':
      sim.replaceConnection(device);
      return { ok: true };
    case 'POST /admin/faults/drop':
      sim.dropConnection(device);
      return { ok: true };
    case 'POST /admin/faults/reach-out':
      sim.restrictReachOut(str(body, 'account') ?? device, body.restricted !== false);
      return { ok: true };
    case 'POST /admin/faults/send-errors':
      sim.failSends(device, body.error === null ? null : (str(body, 'error') ?? '500'));
      return { ok: true };
    case 'POST /admin/faults/pings':
      sim.stopAnsweringPings(device, body.stop !== false);
      return { ok: true };
    default:
      return undefined;
  }
};
