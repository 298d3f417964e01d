import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { guardAsync, orNullWhenAbsent, toGatewayError } from './errors.js';

// The shape of @hapi/boom errors Baileys throws (status in output.statusCode, or in data for iq errors).
const boom = (statusCode: number, message = 'item-not-found') =>
  Object.assign(new Error(message), { isBoom: true, output: { statusCode } });

describe('Baileys errors become GatewayErrors', () => {
  it.each([
    [400, 'WHATSAPP_BAD_REQUEST', 400],
    [401, 'WHATSAPP_FORBIDDEN', 403],
    [403, 'WHATSAPP_FORBIDDEN', 403],
    [404, 'WHATSAPP_NOT_FOUND', 404],
    [408, 'WHATSAPP_TIMEOUT', 504],
    [409, 'WHATSAPP_CONFLICT', 409],
    [428, 'SESSION_NOT_CONNECTED', 409],
    [500, 'CONNECTOR_FAILED', 502],
  ])('a Boom %i is %s (%i)', (status, code, statusCode) => {
    const error = toGatewayError(boom(status), 'get group');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code, statusCode });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reads the status of iq errors from data, and keeps GatewayErrors as they are', () => {
    const iqError = Object.assign(new Error('forbidden'), { isBoom: true, data: 403 });
    expect(toGatewayError(iqError, 'leave group').code).toBe('WHATSAPP_FORBIDDEN');
    // a real `new Boom(text, { data: 404 })` also carries the default output.statusCode 500
    const realIqError = Object.assign(new Error('item-not-found'), {
      isBoom: true,
      data: 404,
      output: { statusCode: 500 },
    });
    expect(toGatewayError(realIqError, 'get group')).toMatchObject({
      code: 'WHATSAPP_NOT_FOUND',
      statusCode: 404,
    });
    const original = new GatewayError('INVALID_RECIPIENT', 'x');
    expect(toGatewayError(original, 'send')).toBe(original);
  });

  it('guards only the named async methods and names the action in the message', async () => {
    const target = {
      leaveGroup: async () => {
        throw boom(404);
      },
      toJid: (value: string) => value,
    };
    const guarded = guardAsync(target, ['leaveGroup']);
    await expect(guarded.leaveGroup()).rejects.toMatchObject({
      code: 'WHATSAPP_NOT_FOUND',
      message: 'WhatsApp refused to leave group: item-not-found',
    });
    expect(guarded.toJid('x')).toBe('x');
  });

  it('reads absent lookups as null but throws other failures as GatewayErrors', async () => {
    expect(await orNullWhenAbsent(Promise.resolve('https://pps/x.jpg'), 'get picture')).toBe(
      'https://pps/x.jpg',
    );
    expect(await orNullWhenAbsent(Promise.resolve(undefined), 'get picture')).toBeNull();
    const iq = (data: number) =>
      Object.assign(new Error('x'), { isBoom: true, data, output: { statusCode: 500 } });
    expect(await orNullWhenAbsent(Promise.reject(iq(404)), 'get picture')).toBeNull();
    expect(await orNullWhenAbsent(Promise.reject(iq(401)), 'get picture')).toBeNull();
    await expect(orNullWhenAbsent(Promise.reject(boom(428)), 'get picture')).rejects.toMatchObject({
      code: 'SESSION_NOT_CONNECTED',
    });
    await expect(orNullWhenAbsent(Promise.reject(boom(408)), 'get picture')).rejects.toMatchObject({
      code: 'WHATSAPP_TIMEOUT',
      statusCode: 504,
    });
  });
});
