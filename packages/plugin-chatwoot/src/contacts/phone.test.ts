import { describe, expect, it } from 'vitest';
import { brazilianVariant, isGroupJid, isLidJid, phoneCandidates, phoneOfJid } from './phone.js';

describe('phoneOfJid', () => {
  it('reads user JIDs, with or without a device', () => {
    expect(phoneOfJid('5511999990000@s.whatsapp.net')).toBe('+5511999990000');
    expect(phoneOfJid('14155550123:12@s.whatsapp.net')).toBe('+14155550123');
    expect(phoneOfJid('14155550123@c.us')).toBe('+14155550123');
  });
  it('has no phone for groups, LIDs and broadcasts', () => {
    expect(phoneOfJid('120363025@g.us')).toBeNull();
    expect(phoneOfJid('123456789012345@lid')).toBeNull();
    expect(phoneOfJid('status@broadcast')).toBeNull();
    expect([isGroupJid('1@g.us'), isLidJid('1@lid'), isLidJid('1@s.whatsapp.net')]).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe('brazilianVariant', () => {
  it('drops and adds the ninth digit of mobile numbers', () => {
    expect(brazilianVariant('+5511987654321')).toBe('+551187654321');
    expect(brazilianVariant('+557187654321')).toBe('+5571987654321');
  });
  it('leaves landlines, other countries and malformed numbers alone', () => {
    expect(brazilianVariant('+551133334444')).toBeNull();
    expect(brazilianVariant('+14155550123')).toBeNull();
    expect(brazilianVariant('+55119')).toBeNull();
    expect(brazilianVariant('+5511912345678')).toBeNull(); // 9 then 1: not a mobile range
  });
  it('gives both candidates only when merging is on', () => {
    expect(phoneCandidates('+5511987654321', true)).toEqual(['+5511987654321', '+551187654321']);
    expect(phoneCandidates('+5511987654321', false)).toEqual(['+5511987654321']);
  });
});
