import type { SimContact } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSse, pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

const OWN = '15553330001';
const ownJid = `${OWN}@s.whatsapp.net`;
const ALICE = '15553330002';
const aliceJid = `${ALICE}@s.whatsapp.net`;
const BOB = '15553330003';
const bobJid = `${BOB}@s.whatsapp.net`;
const CAROL = '15553330004';
const carolJid = `${CAROL}@s.whatsapp.net`;

describe('WhatsApp operations over HTTP (groups, contacts, profile, chats, presence)', () => {
  let stack: ServerStack;
  let sessionId: string;
  let deviceJid: string;
  let alice: SimContact;
  let sse: ReturnType<typeof collectSse>;
  const base = () => `/v1/sessions/${sessionId}`;
  const api = (method: string, path: string, body?: unknown) => stack.api(method, base() + path, body);
  /** Collections of the app-state patches the device uploads until `stop()`. */
  const collectPatches = () => {
    const seen: string[] = [];
    const listener = ({ collection }: { collection: string }) => seen.push(collection);
    stack.sim.on('app-state-patch', listener);
    return {
      stop() {
        stack.sim.off('app-state-patch', listener);
        return seen;
      },
    };
  };

  beforeAll(async () => {
    stack = await startServerStack('postgres');
    const paired = await pairOverHttp(stack, 'operations', OWN);
    sessionId = paired.id;
    deviceJid = paired.session.deviceJid;
    alice = stack.sim.contact(ALICE, { name: 'Alice' });
    stack.sim.contact(BOB, { name: 'Bob' });
    stack.sim.contact(CAROL, { name: 'Carol' });
    sse = collectSse(stack, `sessionId=${sessionId}&types=group.*,chat.*`);
    await sse.ready;
  });
  afterAll(async () => {
    await sse?.stop();
    await stack?.close();
  });

  it('creates, updates, lists and leaves a group; the simulated members see each change', async () => {
    const created = await api('POST', '/groups', { subject: 'Ops', participants: [ALICE, bobJid] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jid: string = created.body.jid;
    expect(jid).toMatch(/^[0-9-]+@g\.us$/);
    expect(created.body).toMatchObject({ sessionId, subject: 'Ops' });
    expect(created.body.participants.map((p: { jid: string }) => p.jid).sort()).toEqual(
      [ownJid, aliceJid, bobJid].sort(),
    );
    const simGroup = stack.sim.group(jid)!;
    expect(simGroup.subject).toBe('Ops');
    expect(simGroup.participants.map((p) => p.jid).sort()).toEqual([ownJid, aliceJid, bobJid].sort());
    expect(simGroup.participants.find((p) => p.jid === ownJid)?.admin).toBe('superadmin');

    const updated = await api('PATCH', `/groups/${jid}`, { subject: 'Ops team', description: 'On call' });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ jid, subject: 'Ops team', description: 'On call' });
    expect((await api('GET', `/groups/${jid}`)).body).toMatchObject({
      subject: 'Ops team',
      description: 'On call',
    });
    expect(stack.sim.group(jid)).toMatchObject({ subject: 'Ops team', description: 'On call' });

    const added = await api('POST', `/groups/${jid}/participants`, {
      action: 'add',
      participants: [CAROL, aliceJid],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.results).toEqual([
      { jid: carolJid, status: '200' },
      { jid: aliceJid, status: '409' },
    ]);
    const promoted = await api('POST', `/groups/${jid}/participants`, {
      action: 'promote',
      participants: [carolJid],
    });
    expect(promoted.body.results).toEqual([{ jid: carolJid, status: '200' }]);
    expect(stack.sim.group(jid)!.participants.find((p) => p.jid === carolJid)?.admin).toBe('admin');
    const removed = await api('POST', `/groups/${jid}/participants`, {
      action: 'remove',
      participants: [bobJid],
    });
    expect(removed.body.results).toEqual([{ jid: bobJid, status: '200' }]);
    expect(
      stack.sim
        .group(jid)!
        .participants.map((p) => p.jid)
        .sort(),
    ).toEqual([ownJid, aliceJid, carolJid].sort());

    const invite = await api('GET', `/groups/${jid}/invite`);
    expect(invite.status).toBe(200);
    expect(invite.body).toEqual({
      code: stack.sim.group(jid)!.inviteCode,
      url: `https://chat.whatsapp.com/${stack.sim.group(jid)!.inviteCode}`,
    });
    const revoked = await api('POST', `/groups/${jid}/invite/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.code).not.toBe(invite.body.code);
    expect(revoked.body.code).toBe(stack.sim.group(jid)!.inviteCode);

    const listed = await api('GET', '/groups');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((g: { jid: string }) => g.jid)).toEqual([jid]);

    const left = await api('POST', `/groups/${jid}/leave`);
    expect(left.status).toBe(204);
    expect(stack.sim.group(jid)!.participants.map((p) => p.jid)).not.toContain(ownJid);
    expect((await api('GET', '/groups')).body.items).toEqual([]);
    const notMember = await api('PATCH', `/groups/${jid}`, { subject: 'again' });
    expect(notMember.status).toBe(403);
    expect(notMember.body.code).toBe('WHATSAPP_FORBIDDEN');

    await waitFor(
      () =>
        sse.events.some(
          (e) =>
            e.type === 'group.upserted' &&
            (e.data as { group: { jid: string; subject: string } }).group.subject === 'Ops team',
        ),
      10_000,
      'group.upserted',
    );
    expect(
      sse.events.some(
        (e) => e.type === 'group.upserted' && (e.data as { group: { jid: string } }).group.jid === jid,
      ),
    ).toBe(true);
  });

  it('joins a group by invite link and answers 404 WHATSAPP_NOT_FOUND for unknown groups', async () => {
    const group = stack.sim.createGroup({ subject: 'Open', participants: [alice] });
    const joined = await api('POST', '/groups/join', {
      code: `https://chat.whatsapp.com/${group.inviteCode}`,
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(200);
    expect(joined.body).toEqual({ groupJid: group.jid });
    expect(stack.sim.group(group.jid)!.participants.map((p) => p.jid)).toContain(ownJid);

    const unknown = '120363000000000000@g.us';
    for (const [method, path, body] of [
      ['GET', `/groups/${unknown}`, undefined],
      ['PATCH', `/groups/${unknown}`, { subject: 'x' }],
      ['GET', `/groups/${unknown}/invite`, undefined],
      ['POST', `/groups/${unknown}/participants`, { action: 'add', participants: [ALICE] }],
    ] as const) {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code, `${method} ${path}`).toBe('WHATSAPP_NOT_FOUND');
    }
    const badCode = await api('POST', '/groups/join', { code: 'NOSUCHCODE' });
    expect(badCode.status).toBe(404);
    expect(badCode.body.code).toBe('WHATSAPP_NOT_FOUND');
  });

  it('checks numbers, reads a profile picture and blocks/unblocks a contact', async () => {
    const checked = await api('POST', '/contacts/check', { phoneNumbers: [`+${ALICE}`, '15559999999'] });
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    expect(checked.body.results).toEqual([
      { phoneNumber: ALICE, exists: true, jid: aliceJid },
      { phoneNumber: '15559999999', exists: false, jid: null },
    ]);
    const picture = await api('GET', `/contacts/${aliceJid}/picture`);
    expect(picture.status).toBe(200);
    expect(picture.body).toEqual({ url: null });
    const unknownPicture = await api('GET', '/contacts/15559999999/picture'); // the sim answers 404
    expect(unknownPicture.status).toBe(200);
    expect(unknownPicture.body).toEqual({ url: null });

    const blocked = await api('POST', `/contacts/${ALICE}/block`);
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(204);
    expect(stack.sim.blocklist(ownJid)).toEqual([aliceJid]);
    const unblocked = await api('POST', `/contacts/${aliceJid}/unblock`);
    expect(unblocked.status).toBe(204);
    expect(stack.sim.blocklist(ownJid)).toEqual([]);
  });

  it('updates the profile name (an app-state patch) and status (a status iq)', async () => {
    const patches = collectPatches();
    const updated = await api('PATCH', '/profile', { name: 'Ops Bot', status: 'on duty' });
    expect(updated.status, JSON.stringify(updated.body)).toBe(204);
    expect((await api('GET', '')).body.pushName).toBe('Ops Bot');
    expect(stack.sim.accounts().find((a) => a.jid === ownJid)?.status).toBe('on duty');
    expect(patches.stop()).toEqual(['critical_block']);
  });

  it('the app-state key the phone shared at pairing is not stored as a message or a chat', async () => {
    expect((await stack.store.messages.list(sessionId, { chatId: ownJid, limit: 10 })).items).toEqual([]);
    expect((await api('GET', `/chats/${ownJid}`)).status).toBe(404);
  });

  it('archives, pins, mutes, marks unread and deletes a chat through app-state patches', async () => {
    const waid = await alice.sendText(deviceJid, 'hello ops');
    await waitFor(() => stack.store.messages.getByWaid(sessionId, aliceJid, waid), 20_000, 'inbound');
    const patches = collectPatches();
    const archived = await api('POST', `/chats/${aliceJid}/archive`, { archived: true });
    expect(archived.status, JSON.stringify(archived.body)).toBe(200);
    expect(archived.body).toMatchObject({ chatJid: aliceJid, isArchived: true });
    await waitFor(
      () =>
        sse.events.some(
          (e) =>
            e.type === 'chat.upserted' &&
            (e.data as { chat: { chatJid: string; isArchived: boolean } }).chat.isArchived === true,
        ),
      10_000,
      'chat.upserted archived',
    );
    const pinned = await api('POST', `/chats/${aliceJid}/pin`, { pinned: true });
    expect(pinned.status, JSON.stringify(pinned.body)).toBe(200);
    expect(pinned.body.isPinned).toBe(true);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const muted = await api('POST', `/chats/${aliceJid}/mute`, { until });
    expect(muted.status, JSON.stringify(muted.body)).toBe(200);
    expect(Date.parse(muted.body.mutedUntil)).toBe(Date.parse(until));
    const unread = await api('POST', `/chats/${aliceJid}/unread`, { unread: true });
    expect(unread.status, JSON.stringify(unread.body)).toBe(200);
    expect(unread.body.unreadCount).toBe(1);
    const chat = await api('GET', `/chats/${aliceJid}`);
    expect(chat.body).toMatchObject({ isArchived: true, isPinned: true, unreadCount: 1 });
    const deleted = await api('DELETE', `/chats/${aliceJid}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    expect((await api('GET', `/chats/${aliceJid}`)).status).toBe(404);
    expect(patches.stop()).toEqual([
      'regular_low',
      'regular_low',
      'regular_high',
      'regular_low',
      'regular_high',
    ]);
  });

  it('sends a typing indicator that the simulator receives as a chatstate', async () => {
    const seen = new Promise<{ to: string | undefined; state: string | undefined }>((resolve) =>
      stack.sim.once('chatstate', resolve),
    );
    const res = await api('POST', '/presence', { chatId: aliceJid, presence: 'composing' });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect(await seen).toMatchObject({ to: aliceJid, state: 'composing' });
  });
});
