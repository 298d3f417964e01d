import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, type UrlPolicy, urlPolicyOf } from './url-policy.js';

const strict: UrlPolicy = { allowPrivateNetworks: false, allowlist: [], httpsOnly: false };
const refused = expect.objectContaining({ code: 'WEBHOOKS_URL_NOT_ALLOWED', statusCode: 400 });

describe('checkWebhookUrl', () => {
  it('accepts public http(s) URLs and returns their origin', () => {
    expect(checkWebhookUrl('https://hooks.example.com/a/b?c=1', strict)).toBe('https://hooks.example.com');
    expect(checkWebhookUrl('http://93.184.216.34:8080/x', strict)).toBe('http://93.184.216.34:8080');
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
    expect(() => checkWebhookUrl(url, strict)).toThrow(refused);
  });

  it('refuses other schemes, credentials and non-URLs', () => {
    for (const url of [
      'ftp://example.com/',
      'file:///etc/passwd',
      'gopher://x',
      'https://u:p@example.com/',
      'nope',
    ]) {
      expect(() => checkWebhookUrl(url, strict)).toThrow(refused);
    }
  });

  it('refuses http when httpsOnly', () => {
    expect(() => checkWebhookUrl('http://example.com/', { ...strict, httpsOnly: true })).toThrow(refused);
    expect(checkWebhookUrl('https://example.com/', { ...strict, httpsOnly: true })).toBe(
      'https://example.com',
    );
  });

  it('lets the allowlist (addresses, CIDRs, names) and allowPrivateNetworks through', () => {
    const allow = {
      ...strict,
      allowlist: ['10.1.0.0/16', '127.0.0.1', '::1', 'receiver.internal', 'localhost'],
    };
    expect(checkWebhookUrl('http://10.1.2.3/', allow)).toBe('http://10.1.2.3');
    expect(() => checkWebhookUrl('http://10.2.0.1/', allow)).toThrow(refused);
    expect(checkWebhookUrl('http://127.0.0.1:9/', allow)).toBe('http://127.0.0.1:9');
    expect(checkWebhookUrl('http://[::1]:9/', allow)).toBe('http://[::1]:9');
    expect(checkWebhookUrl('http://localhost:9/', allow)).toBe('http://localhost:9');
    expect(checkWebhookUrl('http://192.168.0.1/', { ...strict, allowPrivateNetworks: true })).toBe(
      'http://192.168.0.1',
    );
  });
});

describe('urlPolicyOf', () => {
  it("adds the host's allowPrivateUrls to the plugin's allowlist", () => {
    const policy = urlPolicyOf(
      { allowPrivateNetworks: false, allowlist: ['10.1.0.0/16'], httpsOnly: true },
      { allowPrivateUrls: ['192.168.5.0/24', 'receiver.internal'] },
    );
    expect(policy).toEqual({
      allowPrivateNetworks: false,
      httpsOnly: true,
      allowlist: ['10.1.0.0/16', '192.168.5.0/24', 'receiver.internal'],
    });
    expect(() => checkWebhookUrl('https://192.168.5.7/hook', policy)).not.toThrow();
    expect(() => checkWebhookUrl('https://192.168.6.7/hook', policy)).toThrow();
  });
});
