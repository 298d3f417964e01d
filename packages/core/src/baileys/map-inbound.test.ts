import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { mapWaMessage } from './map-inbound.js';

const own = '15550000001@s.whatsapp.net';
const fromPhone = (message: proto.IMessage): WAMessage => ({
  key: { remoteJid: own, id: '3EB0AAA', fromMe: true },
  messageTimestamp: 1_700_000_000,
  message,
});

describe('mapWaMessage and protocol messages', () => {
  it.each([
    ['APP_STATE_SYNC_KEY_SHARE', proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE],
    ['HISTORY_SYNC_NOTIFICATION', proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION],
    [
      'INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC',
      proto.Message.ProtocolMessage.Type.INITIAL_SECURITY_NOTIFICATION_SETTING_SYNC,
    ],
  ])('ignores a %s from our own phone (not stored as an unsupported message)', (_, type) => {
    expect(mapWaMessage(fromPhone({ protocolMessage: { type } }), own)).toBeNull();
  });

  it('still maps a revoke to message.deleted', () => {
    const revoke = fromPhone({
      protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'TARGET' } },
    });
    expect(mapWaMessage(revoke, own)).toEqual([
      { type: 'message.deleted', chatId: own, waid: 'TARGET', deletedBy: own },
    ]);
  });
});
