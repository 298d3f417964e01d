import { describe, expect, it } from 'vitest';
import { defaultOptOutKeywords, isOptOut } from './opt-out.js';
import { canMove, type RecipientStatus } from './status.js';

describe('opt-out keywords', () => {
  it('match the whole reply, whatever the case, accents, punctuation or emoji', () => {
    for (const reply of ['STOP', 'stop', ' Stop! ', 'sair', 'Sáir.', 'PARAR 🙏', 'baja', 'Unsubscribe'])
      expect(isOptOut(reply, defaultOptOutKeywords)).toBe(true);
  });

  it('do not match sentences that merely contain a keyword', () => {
    for (const reply of ['vou sair mais tarde', 'stop it now please', 'stopped', '', '!!!'])
      expect(isOptOut(reply, defaultOptOutKeywords)).toBe(false);
  });

  it('use configured keywords, also normalised', () => {
    expect(isOptOut('Descadastrar', ['DESCADASTRÁR'])).toBe(true);
    expect(isOptOut('remover da lista', ['Remover da lista!'])).toBe(true);
    expect(isOptOut('stop', ['remover'])).toBe(false);
  });
});

describe('recipient status moves', () => {
  const moves = (from: RecipientStatus) =>
    (
      [
        'pending',
        'skipped',
        'sending',
        'sent',
        'delivered',
        'read',
        'replied',
        'failed',
        'opted_out',
      ] as const
    ).filter((to) => canMove(from, to));

  it('follow receipts forward only', () => {
    expect(moves('pending')).toEqual([
      'skipped',
      'sending',
      'sent',
      'delivered',
      'read',
      'replied',
      'failed',
      'opted_out',
    ]);
    expect(moves('sent')).toEqual(['delivered', 'read', 'replied', 'failed', 'opted_out']);
    expect(moves('read')).toEqual(['replied', 'opted_out']);
    expect(moves('replied')).toEqual(['opted_out']);
  });

  it('keep final statuses final', () => {
    expect(moves('skipped')).toEqual([]);
    expect(moves('failed')).toEqual([]);
    expect(moves('opted_out')).toEqual([]);
  });
});
