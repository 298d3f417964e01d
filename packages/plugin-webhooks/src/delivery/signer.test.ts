import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../secrets.js';
import { signPayload } from './signer.js';

describe('signPayload', () => {
  it('produces headers the standardwebhooks verifier accepts, for each secret given', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const body = JSON.stringify({ id: '01J', type: 'message.received', data: { a: 1 } });
    const headers = signPayload([current, previous], '01JEVENT', body);
    expect(headers['webhook-id']).toBe('01JEVENT');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow(/No matching signature/);
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow();
  });
});
