import { describe, expect, it } from 'vitest';
import { waitingMessage } from './pairing.js';

describe('waitingMessage', () => {
  it('says what happens next, and why a connection stopped or failed', () => {
    expect(waitingMessage({ status: 'disconnected', statusReason: 'created' })).toBe(
      'Not connected. Press Connect to get a QR code.',
    );
    expect(waitingMessage({ status: 'disconnected', statusReason: 'QR code was not scanned in time' })).toBe(
      'Not connected: QR code was not scanned in time. Press Connect to get a new QR code.',
    );
    expect(
      waitingMessage({ status: 'logged_out', statusReason: 'Logged out from the phone; pair again' }),
    ).toBe('Logged out (Logged out from the phone; pair again). Press Connect to pair again.');
    expect(
      waitingMessage({ status: 'failed', statusReason: 'Proxy http://p:1 cannot be reached: ECONNREFUSED' }),
    ).toBe(
      'The connection failed: Proxy http://p:1 cannot be reached: ECONNREFUSED. Check the network and the proxy, then press Connect.',
    );
    expect(waitingMessage({ status: 'failed', statusReason: null })).toMatch(
      /^The connection failed: no reason given/,
    );
    expect(waitingMessage({ status: 'connecting', statusReason: null })).toMatch(/^Connecting to WhatsApp/);
  });
});
