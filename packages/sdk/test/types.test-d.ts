import { describe, expectTypeOf, it } from 'vitest';
import {
  createZapgateClient,
  isMessageReceived,
  type SendMessageBody,
  verifyWebhook,
  type ZapgateError,
  type ZapgateEvent,
  type ZapgateSchemas,
} from '../src/index.js';

const zg = createZapgateClient({ baseUrl: 'http://localhost:3000', apiKey: 'k' });

describe('SDK types', () => {
  it('types responses from the OpenAPI document', async () => {
    const created = await zg.sessions.create({ name: 'x' });
    expectTypeOf(created.data!.apiKey).toEqualTypeOf<string>();
    expectTypeOf(created.data!.status).toEqualTypeOf<ZapgateSchemas['Session']['status']>();
    expectTypeOf(created.data!).toMatchTypeOf<ZapgateSchemas['Session']>();
    // the error is exactly the server's error shape (assignable both ways)
    expectTypeOf(created.error!).toMatchTypeOf<ZapgateError>();
    expectTypeOf<ZapgateError>().toMatchTypeOf<NonNullable<typeof created.error>>();
    const message = await zg.messages.get('s', 'm');
    expectTypeOf(message.data!).toMatchTypeOf<ZapgateSchemas['Message']>();
    expectTypeOf(message.data!.status).toEqualTypeOf<
      'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed'
    >();
  });

  it('types request bodies, discriminated by message type', () => {
    expectTypeOf<Extract<SendMessageBody, { type: 'location' }>>()
      .toHaveProperty('latitude')
      .toEqualTypeOf<number>();
    expectTypeOf<Extract<SendMessageBody, { type: 'poll' }>>()
      .toHaveProperty('options')
      .toEqualTypeOf<string[]>();
    // @ts-expect-error a text needs its text
    zg.messages.send('s', { type: 'text', to: '1555' });
    // @ts-expect-error unknown message type
    zg.messages.send('s', { type: 'fax', to: '1555' });
  });

  it('types events and narrows them by type', () => {
    const event = verifyWebhook('', {}, 'whsec_x');
    expectTypeOf(event).toEqualTypeOf<ZapgateEvent>();
    if (isMessageReceived(event)) {
      expectTypeOf(event.type).toEqualTypeOf<'message.received'>();
      expectTypeOf(event.data.message.isFromMe).toEqualTypeOf<boolean>();
    }
    const stream = zg.events.stream({ types: ['message.status'] });
    expectTypeOf(stream).toEqualTypeOf<AsyncGenerator<ZapgateEvent<'message.status'>>>();
  });
});
