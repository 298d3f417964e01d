import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { campaigns } from '@zapgate/plugin-campaigns';
import { chatwoot } from '@zapgate/plugin-chatwoot';
import { webhooks } from '@zapgate/plugin-webhooks';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, screenshot } from './browser.js';
import { type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

/** A 2×2 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DA0PCfAUIBACFyBP1TVaZ3AAAAAElFTkSuQmCC',
  'base64',
);

/** A webhook receiver on loopback that records what it got. */
function receiver() {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  return { server, bodies };
}

describe('the dashboard in headless Chromium (real server on PGlite, Baileys on wa-sim)', () => {
  let stack: ServerStack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let errors: string[];
  let hook: ReturnType<typeof receiver>;
  let hookUrl: string;
  const phone = '15553330001';
  const alicePhone = '15553330002';
  let sessionId = '';
  let sessionKey = '';

  beforeAll(async () => {
    hook = receiver();
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hook`;
    stack = await startServerStack('pglite-memory', {
      allowPrivateUrls: ['127.0.0.1'], // a proxy on loopback that does not answer
      server: {
        plugins: [webhooks({ allowlist: ['127.0.0.1/32'] }), chatwoot(), campaigns()],
      },
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    errors = collectPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    hook?.server.close();
  });

  it('serves the page with a strict CSP and caching headers', async () => {
    const index = await fetch(`${stack.baseUrl}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await index.text();
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${stack.baseUrl}/${asset}`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });

  it('refuses a wrong key and signs in with the admin key', async () => {
    await page.goto(stack.baseUrl);
    await page.getByLabel('API key').fill('zga_not-the-right-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That key was refused' }).waitFor();
    await page.getByLabel('API key').fill(stack.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await page.getByText('No session yet').waitFor();
    expect(page.url()).not.toContain(stack.adminKey);
    expect(await page.evaluate(() => sessionStorage.getItem('zapgate.apiKey'))).toBe(stack.adminKey);
  });

  it('creates a session, shows the QR image and turns connected live when the phone scans it', async () => {
    await page.getByLabel('Name').fill('shop');
    await page.getByRole('button', { name: 'Create' }).click();
    sessionKey = (await page.locator('.secret-value').textContent()) ?? '';
    expect(sessionKey.startsWith('zgs_')).toBe(true);
    await page.locator('[data-session="shop"] [data-status="disconnected"]').waitFor();
    await page.getByRole('button', { name: 'Open shop to pair it' }).click();
    sessionId = /#\/sessions\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByText('Press Connect to get a QR code').waitFor();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const qr = page.getByRole('img', { name: 'WhatsApp pairing QR code' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    await page.getByText(/Expires in \d+ s/).waitFor();
    await screenshot(page, 'pairing');
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await stack.sim.scanQr((await qr.getAttribute('data-qr'))!, { phoneNumber: phone });
    await page.locator('h1 [data-status="connected"]').waitFor();
    await page
      .locator('[data-field="phone"]')
      .filter({ hasText: `+${phone}` })
      .waitFor();
    await page.locator('.history').getByText('Connected').first().waitFor();
    expect(navigations.filter((url) => !url.includes('#'))).toEqual([]); // no reload
    // the history is stored: after a reload it still lists every change, newest first
    await page.reload();
    const history = page.locator('.history li');
    await history.first().locator('[data-status="connected"]').waitFor();
    expect(
      await history.evaluateAll((items) => items.map((li) => li.getAttribute('data-history-status'))),
    ).toEqual(expect.arrayContaining(['connected', 'qr', 'connecting', 'disconnected']));
    await screenshot(page, 'session');
  });

  it('sends a message that reaches read, and shows one received from a contact', async () => {
    const alice = stack.sim.contact(alicePhone, { name: 'Alice' });
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByLabel('To (phone number or chat JID)').fill(alicePhone);
    await page.getByLabel('Text').fill('hello from the dashboard');
    await page.getByRole('button', { name: 'Send text' }).click();
    const sent = page.locator('.message-list li.out').filter({ hasText: 'hello from the dashboard' });
    await sent.locator('[data-status="read"]').waitFor();
    await alice.waitForMessage(
      (m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'hello from the dashboard',
      { timeoutMs: 20_000 },
    );

    // a file: sent as an image with its caption
    await page
      .getByLabel('File (optional)')
      .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
    await page.getByLabel('Caption (optional)').fill('a picture');
    await page.getByRole('button', { name: 'Send file' }).click();
    const picture = page.locator('.message-list li.out').filter({ hasText: 'a picture' });
    await picture.locator('[data-status="read"]').waitFor();
    await picture.getByText('dot.png · image/png').waitFor();
    await alice.waitForMessage((m) => m.message.imageMessage?.caption === 'a picture', { timeoutMs: 20_000 });

    const session = await stack.api('GET', `/v1/sessions/${sessionId}`);
    await alice.sendText(session.body.deviceJid, 'hi, Alice here');
    await page.locator('.message-list li.in').filter({ hasText: 'hi, Alice here' }).waitFor();
    await page.locator('.message-list li.in').filter({ hasText: 'From Alice' }).first().waitFor();
    // received media are previewed from a blob URL (fetched with the key, never a key in a URL)
    await alice.sendMedia(session.body.deviceJid, {
      kind: 'image',
      data: png,
      mimetype: 'image/png',
      caption: 'a dot',
    });
    const preview = page.locator('.message-list li.in').filter({ hasText: 'a dot' }).locator('img.media');
    await preview.waitFor();
    expect(await preview.getAttribute('src')).toMatch(/^blob:/);
    await page.waitForFunction(
      (img) => (img as HTMLImageElement).naturalWidth === 2,
      await preview.elementHandle(),
    );
    await screenshot(page, 'messages');
  });

  it('creates a webhook (secret shown once) and shows its delivery', async () => {
    await page
      .getByRole('navigation', { name: 'Session sections' })
      .getByRole('link', { name: 'Webhooks' })
      .click();
    await page.getByRole('heading', { name: 'Webhooks of this session' }).waitFor();
    await page.getByLabel('URL').fill(hookUrl);
    await page.getByLabel(/^Events/).fill('');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = (await page.locator('.secret-value').textContent()) ?? '';
    expect(secret.startsWith('whsec_')).toBe(true);
    const item = page.locator(`[data-webhook="${hookUrl}"]`);
    await item.getByRole('button', { name: 'Send test' }).click();
    await item.getByRole('button', { name: 'Deliveries' }).click();
    const delivered = item.locator('[data-delivery-status="succeeded"]').filter({ hasText: 'webhook.test' });
    await delivered.waitFor();
    expect(await delivered.getByText('204').count()).toBe(1);
    const tests = () => hook.bodies.filter((body) => body.includes('"webhook.test"')).length;
    expect(tests()).toBe(1);
    // redeliver: the receiver gets it again, and the row shows the new answer
    await delivered.getByRole('button', { name: 'Redeliver' }).click();
    await waitFor(() => tests() === 2, 20_000, 'the redelivery');
    await item.getByRole('button', { name: 'Refresh' }).click();
    await delivered.getByText('204').waitFor();
    await screenshot(page, 'webhooks');
    // disable and enable again: a disabled subscription cannot send a test
    await item.getByRole('button', { name: 'Disable' }).click();
    await item.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await item.getByRole('button', { name: 'Send test' }).isDisabled()).toBe(true);
    const listed = await stack.api('GET', `/v1/sessions/${sessionId}/webhooks`);
    expect(listed.body.items.map((w: { enabled: boolean }) => w.enabled)).toEqual([false]);
    await item.getByRole('button', { name: 'Enable' }).click();
    await item.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await item.getByRole('button', { name: 'Send test' }).isDisabled()).toBe(false);
  });

  it('pairs by code from a phone number, and says why a connection failed', async () => {
    const coded = await stack.api('POST', '/v1/sessions', { name: 'coded' });
    await page.goto(`${stack.baseUrl}/#/sessions/${coded.body.id}`);
    await page.getByLabel('Phone number (international format)').fill('+1 555 333 0004');
    await page.getByRole('button', { name: 'Get pairing code' }).click();
    const code = (await page.locator('.pairing-code .code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    await stack.sim.enterPairingCode(code, { phoneNumber: '15553330004' });
    await page.locator('h1 [data-status="connected"]').waitFor();
    await page.locator('[data-field="phone"]').filter({ hasText: '+15553330004' }).waitFor();

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const proxied = await stack.api('POST', '/v1/sessions', {
      name: 'proxied',
      proxyUrl: `socks5://127.0.0.1:${port}`,
    });
    expect(proxied.status).toBe(201);
    await page.goto(`${stack.baseUrl}/#/sessions/${proxied.body.id}`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page
      .locator('.pairing')
      .getByRole('alert')
      .filter({ hasText: `The connection failed: ` })
      .filter({ hasText: `Proxy socks5://127.0.0.1:${port} cannot be reached: ECONNREFUSED` })
      .waitFor();
    await screenshot(page, 'failed');
    // back to the paired session for the tests that follow
    await page.goto(`${stack.baseUrl}/#/sessions/${sessionId}`);
    await page.locator('h1').filter({ hasText: 'shop' }).waitFor();
  });

  it("draws each plugin's settings form from its schema: problems by field, secrets never shown", async () => {
    await page
      .getByRole('navigation', { name: 'Session sections' })
      .getByRole('link', { name: 'Plugins' })
      .click();
    const form = page.locator('[data-plugin="chatwoot"]');
    await form.getByText('Not set up for this session yet.').waitFor();
    await page.locator('[data-plugin="campaigns"]').getByLabel('Opt out keywords').waitFor();
    const save = form.getByRole('button', { name: 'Save chatwoot settings' });

    // the obvious problems, all at once and before any request, each under its field
    await save.click();
    await form.getByText('3 settings need fixing').waitFor();
    const problems = () => form.locator('.field-error').allTextContents();
    expect(await problems()).toEqual(['URL is required', 'Account ID is required', 'Token is required']);
    await page.waitForFunction(() => document.activeElement?.id === 'plugin-chatwoot-url');

    // what only the server checks comes back as a 400 and lands on its field too
    await form.getByLabel('URL').fill('https://chatwoot.example.com');
    await form.getByLabel('Account ID').fill('7');
    await form.getByLabel('Token').fill('cw-token-never-echoed');
    await form.getByLabel('Enabled').uncheck(); // no bridge to a host that does not exist
    await form.getByLabel('Ignore JIDs').fill(`${'1'.repeat(120)}@s.whatsapp.net`);
    const refused = page.waitForResponse((r) => r.request().method() === 'PUT' && r.status() === 400);
    await save.click();
    const refusal = await (await refused).json();
    expect(refusal.code, JSON.stringify(refusal)).toBe('VALIDATION_FAILED');
    await form.getByText('One setting needs fixing').waitFor();
    expect(await problems()).toEqual(['Ignore JIDs expected string length less or equal to 128']);
    expect(await form.getByLabel('Ignore JIDs').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Ignore JIDs').fill('');
    await save.click();
    await form.getByText('Saved the chatwoot settings.').waitFor();
    const stored = await stack.api('GET', `/v1/sessions/${sessionId}/plugins/chatwoot`);
    expect(stored.body.settings).toMatchObject({
      url: 'https://chatwoot.example.com',
      accountId: 7,
      token: null,
    });
    expect(stored.body.secretsSet).toEqual(['token']);
    const token = form.getByLabel('Token');
    expect(await token.inputValue()).toBe('');
    expect(await token.getAttribute('placeholder')).toBe('stored (leave empty to keep it)');

    // a save that leaves the secret empty keeps it: the request does not carry it
    await page.reload();
    await form.getByLabel('Inbox name').fill('Support');
    const put = page.waitForRequest((r) => r.method() === 'PUT');
    await save.click();
    expect(Object.keys((await put).postDataJSON())).not.toContain('token');
    await form.getByText('Saved the chatwoot settings.').waitFor();
    const kept = await stack.api('GET', `/v1/sessions/${sessionId}/plugins/chatwoot`);
    expect(kept.body.settings.inboxName).toBe('Support');
    expect(kept.body.secretsSet).toEqual(['token']);
    expect(await page.content()).not.toContain('cw-token-never-echoed');
    await screenshot(page, 'plugins');
  });

  it('shows campaigns with progress moving live, started from the page', async () => {
    const bob = stack.sim.contact('14155557002', { name: 'Bob' });
    const carol = stack.sim.contact('14155557003', { name: 'Carol' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByText('New campaign').click();
    const form = page.locator('form.campaign-form');
    await form.getByLabel('Campaign name').fill('Launch');
    await form.getByLabel(/^shop/).check();
    await form.getByLabel('Message').fill('launch news');
    // a number that cannot be one is refused with the row it is on
    await form.getByLabel('Recipients').fill('+14155557002\nnot a number');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await form.getByRole('alert').filter({ hasText: 'row 2: "not a number"' }).waitFor();
    await form.getByLabel('Recipients').fill('+14155557002\n+14155557003\n+14155557003');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await form.getByText('as a draft with 2 recipient(s) (1 duplicate(s) left out)').waitFor();
    // the test's pace: the default one is a person's (seconds between messages, typing first)
    const [launch] = (await stack.api('GET', '/v1/campaigns?limit=1')).body.items;
    const paced = await stack.api('PATCH', `/v1/campaigns/${launch.id}`, {
      pacing: {
        messagesPerMinute: 1200,
        pauseEvery: 0,
        warmup: { enabled: false },
        typing: { enabled: false },
      },
    });
    expect(paced.status, JSON.stringify(paced.body)).toBe(200);
    const item = page.locator('[data-campaign="Launch"]');
    await item.getByText('0 of 2 done (0%)').waitFor();
    await item.getByRole('button', { name: 'Start' }).click();
    await page.locator('[data-campaign="Launch"][data-campaign-status="completed"]').waitFor();
    await item.getByText('2 of 2 done (100%): 2 sent, 0 failed').waitFor();
    expect(await item.locator('progress').evaluate((p: HTMLProgressElement) => p.value / p.max)).toBe(1);
    for (const contact of [bob, carol])
      await contact.waitForMessage(
        (m) => (m.message.conversation ?? m.message.extendedTextMessage?.text) === 'launch news',
        { timeoutMs: 20_000 },
      );
    await screenshot(page, 'campaigns');
  });

  it('shows live events, and the server page', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByText('Waiting for events').waitFor();
    await page.getByLabel('Types').fill('message.*');
    const alice = stack.sim.contact(alicePhone);
    const session = await stack.api('GET', `/v1/sessions/${sessionId}`);
    await alice.sendText(session.body.deviceJid, 'watch this');
    await page.locator('.event-list li[data-type="message.received"]').first().waitFor();
    expect(await page.locator('.event-list li[data-type="session.status"]').count()).toBe(0);
    await screenshot(page, 'events');

    await page.getByRole('link', { name: 'Server' }).click();
    await page.getByRole('heading', { name: /^Zapgate \d/ }).waitFor();
    await page.locator('[data-plugin-row="chatwoot"]').getByText('yes').waitFor();
    await page.locator('[data-plugin-row="webhooks"]').waitFor();
    // the fleet's nodes where the server lists them (GET /v1/admin/nodes), else a sentence
    const nodes = await stack.api('GET', '/v1/admin/nodes');
    if (nodes.status === 200) {
      const self = nodes.body.items.find((n: { self: boolean }) => n.self);
      await page.locator(`[data-node="${self.id}"]`).getByText('(this one)').waitFor();
    } else {
      expect(nodes.status).toBe(404);
      await page.getByText('This server does not list nodes').waitFor();
    }
    await page.getByRole('link', { name: /API docs/ }).waitFor();
    await screenshot(page, 'server');
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.locator('[data-session="shop"] [data-status="connected"]').waitFor();
    await screenshot(page, 'sessions');
    expect(errors).toEqual([]);
  });

  it('fits a phone screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`${stack.baseUrl}/#/sessions/${sessionId}/messages`);
    await page.locator('.message-list li').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-messages');
    await page.goto(`${stack.baseUrl}/#/sessions/${sessionId}/plugins`);
    await page.locator('[data-plugin="chatwoot"] form.schema-form').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.goto(`${stack.baseUrl}/#/campaigns`);
    await page.locator('[data-campaign="Launch"] progress').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('lets a session key see only its own session', async () => {
    const other = await stack.api('POST', '/v1/sessions', { name: 'other' });
    expect(other.status).toBe(201);
    const tab = await browser.context.newPage();
    const tabErrors = collectPageErrors(tab);
    // a new tab has its own session storage: it starts signed out
    await tab.goto(stack.baseUrl);
    await tab.getByLabel('API key').fill(sessionKey);
    await tab.getByLabel('API key').press('Enter'); // the keyboard is enough
    await tab.locator('h1').filter({ hasText: 'shop' }).waitFor();
    expect(tab.url()).toContain(`#/sessions/${sessionId}`);
    expect(await tab.getByRole('link', { name: 'Server' }).count()).toBe(0);
    // its own settings can be saved (the proxy, admin-only, is not sent back)
    await tab.getByRole('link', { name: 'Settings' }).click();
    await tab.getByLabel('Mark every inbound message as read').check();
    await tab.getByRole('button', { name: 'Save settings' }).click();
    await tab.getByText('Saved.').waitFor();
    expect((await stack.api('GET', `/v1/sessions/${sessionId}`)).body.settings.markRead).toBe(true);
    await tab.goto(`${stack.baseUrl}/#/sessions/${other.body.id}`);
    await tab.getByRole('alert').filter({ hasText: 'does not reach that session' }).waitFor();
    await tab.goto(`${stack.baseUrl}/#/`);
    await tab.locator('h1').filter({ hasText: 'shop' }).waitFor();
    expect(await tab.locator('[data-session]').count()).toBe(0);
    expect(tabErrors).toEqual([]);
    await tab.close();
  });
});
