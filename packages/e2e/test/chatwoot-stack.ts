import { createServer } from 'node:net';
import { type FakeChatwoot, startFakeChatwoot } from '@zapgate/chatwoot-sim';
import { type ChatwootOptions, chatwoot } from '@zapgate/plugin-chatwoot';
import { type Backend, pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

/** A free TCP port on 127.0.0.1 (the callback URL is known before the server listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The server (real Baileys on wa-sim) with the Chatwoot plugin, and a fake Chatwoot over HTTP. */
export interface ChatwootStack extends ServerStack {
  chatwoot: FakeChatwoot;
  publicUrl: string;
  close(): Promise<void>;
}

/** Options the tests use: short retries, so an outage ends in seconds rather than minutes. */
export const fastChatwootOptions: ChatwootOptions = { maxRetryDelayMs: 2000, timeoutMs: 5000 };

export async function startChatwootStack(
  backend: Backend,
  options: ChatwootOptions = {},
): Promise<ChatwootStack> {
  const fake = await startFakeChatwoot();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const stack = await startServerStack(backend, {
    allowPrivateUrls: ['127.0.0.1'],
    port,
    server: { plugins: [chatwoot({ publicUrl, ...fastChatwootOptions, ...options })] },
  });
  const close = stack.close.bind(stack);
  return Object.assign(stack, {
    chatwoot: fake,
    publicUrl,
    async close() {
      await close();
      await fake.close();
    },
  });
}

/** Pairs a session and bridges it to the fake Chatwoot; resolves once the bridge runs. */
export async function bridgedSession(
  stack: ChatwootStack,
  name: string,
  phoneNumber: string,
  settings: Record<string, unknown> = {},
  create: Record<string, unknown> = {},
) {
  const paired = await pairOverHttp(stack, name, phoneNumber, create);
  const put = await stack.api('PUT', `/v1/sessions/${paired.id}/plugins/chatwoot`, {
    url: stack.chatwoot.url,
    accountId: stack.chatwoot.accountId,
    token: stack.chatwoot.token,
    inboxName: `WhatsApp ${name}`,
    ...settings,
  });
  if (put.status !== 200) throw new Error(`settings refused: ${JSON.stringify(put.body)}`);
  const bridge = await waitFor(
    async () => {
      const res = await stack.api('GET', `/v1/sessions/${paired.id}/chatwoot`);
      return res.body?.status === 'running' ? res.body : null;
    },
    30_000,
    'bridge running',
  );
  const inbox = [...stack.chatwoot.state.inboxes.values()].find((i) => i.id === bridge.inboxId)!;
  return { ...paired, bridge, inbox };
}

/** The Chatwoot conversations of a contact identified by its WhatsApp JID. */
export function conversationsOf(chatwoot: FakeChatwoot, identifier: string) {
  const contact = [...chatwoot.state.contacts.values()].find((c) => c.identifier === identifier);
  if (!contact) return [];
  return [...chatwoot.state.conversations.values()].filter((c) => c.contactId === contact.id);
}

/** The one conversation of a chat, once it exists. */
export function conversationOf(chatwoot: FakeChatwoot, identifier: string) {
  return waitFor(() => conversationsOf(chatwoot, identifier)[0], 30_000, `conversation of ${identifier}`);
}
