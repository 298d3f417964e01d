import { outgoingPolicy } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, webhookPolicy } from './url-policy.js';

const strict = outgoingPolicy();
const refused = expect.objectContaining({ code: 'WEBHOOKS_URL_NOT_ALLOWED', statusCode: 400 });

describe('checkWebhookUrl', () => {
  it('accepts public http(s) URLs and returns their origin', () => {
    expect(checkWebhookUrl('https://hooks.example.com/a/b?c=1', strict, false)).toBe(
      'https://hooks.example.com',
    );
    expect(checkWebhookUrl('http://93.184.216.34:8080/x', strict, false)).toBe('http://93.184.216.34:8080');
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://127.1.2.3:9000/',
    'http://10.0.0.5/',
    'http://10.255.255.255/',
    'http://172.16.0.1/',
    'http://192.168.1.10/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://metadata.google.internal/',
  ])('refuses %s', (url) => {
    expect(() => checkWebhookUrl(url, strict, false)).toThrow(refused);
  });

  it('refuses other schemes, credentials and non-URLs', () => {
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'gopher://x',
      'https://u:p@example.com/',
      'nope',
    ]) {
      expect(() => checkWebhookUrl(url, strict, false)).toThrow(refused);
    }
  });

  it('refuses http when httpsOnly', () => {
    expect(() => checkWebhookUrl('http://example.com/', strict, true)).toThrow(refused);
    expect(checkWebhookUrl('https://example.com/', strict, true)).toBe('https://example.com');
  });

  it('lets the allowlist (addresses, CIDRs, names) and allowPrivateNetworks through', () => {
    const allow = webhookPolicy(strict, {
      allowPrivateNetworks: false,
      allowlist: ['10.1.0.0/16', '127.0.0.1', '::1', 'receiver.internal', 'localhost'],
    });
    expect(checkWebhookUrl('http://10.1.2.3/', allow, false)).toBe('http://10.1.2.3');
    expect(() => checkWebhookUrl('http://10.2.0.1/', allow, false)).toThrow(refused);
    expect(checkWebhookUrl('http://127.0.0.1:9/', allow, false)).toBe('http://127.0.0.1:9');
    expect(checkWebhookUrl('http://[::1]:9/', allow, false)).toBe('http://[::1]:9');
    expect(checkWebhookUrl('http://localhost:9/', allow, false)).toBe('http://localhost:9');
    const open = webhookPolicy(strict, { allowPrivateNetworks: true, allowlist: [] });
    expect(checkWebhookUrl('http://192.168.0.1/', open, false)).toBe('http://192.168.0.1');
  });
});

describe('webhookPolicy', () => {
  it("adds the plugin's allowlist to the host's, and refusals name the host setting", () => {
    const host = outgoingPolicy({ allow: ['192.168.5.0/24'], allowHint: 'ZAPGATE_ALLOW_PRIVATE_URLS' });
    const policy = webhookPolicy(host, { allowPrivateNetworks: false, allowlist: ['10.1.0.0/16'] });
    expect(policy.allow).toEqual(['192.168.5.0/24', '10.1.0.0/16']);
    expect(checkWebhookUrl('https://192.168.5.7/hook', policy, true)).toBe('https://192.168.5.7');
    expect(checkWebhookUrl('https://10.1.0.7/hook', policy, true)).toBe('https://10.1.0.7');
    expect(() => checkWebhookUrl('https://192.168.6.7/hook', policy, true)).toThrow(
      expect.objectContaining({
        code: 'WEBHOOKS_URL_NOT_ALLOWED',
        message: expect.stringContaining('allow it with ZAPGATE_ALLOW_PRIVATE_URLS'),
      }),
    );
  });
});
