import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Companion, Registry } from '../registry.js';
import { bytesOf, childOf, childrenOf } from '../util.js';

const jidOfUsyncUser = (user: BinaryNode): string | undefined => {
  if (user.attrs.jid) return user.attrs.jid;
  const contact = childOf(user, 'contact');
  const phone = bytesOf(contact)
    .toString('utf8')
    .replace(/[^0-9]/g, '');
  return phone ? `${phone}@s.whatsapp.net` : undefined;
};

/**
 * Answers a `usync` query (devices, LID, contact, status…). Peers have device 0; the
 * requesting account additionally lists the requesting companion.
 */
export const answerUsync = (
  registry: Registry,
  requester: Companion | undefined,
  iq: BinaryNode,
): BinaryNode[] => {
  const usync = childOf(iq, 'usync');
  const wants = new Set(childrenOf(childOf(usync, 'query')).map((child) => child.tag));
  const users = childrenOf(childOf(usync, 'list')).filter((user) => user.tag === 'user');
  const list = users.map((user): BinaryNode => {
    const jid = jidOfUsyncUser(user) ?? '';
    const peer = registry.peer(jid);
    const content: BinaryNode[] = [];
    if (wants.has('contact')) content.push({ tag: 'contact', attrs: { type: peer ? 'in' : 'out' } });
    if (peer && wants.has('devices')) {
      const devices: BinaryNode[] = [{ tag: 'device', attrs: { id: '0' } }];
      if (requester && requester.account === peer) {
        devices.push({ tag: 'device', attrs: { id: String(requester.deviceId), 'key-index': '1' } });
      }
      content.push({
        tag: 'devices',
        attrs: {},
        content: [{ tag: 'device-list', attrs: {}, content: devices }],
      });
    }
    if (peer && wants.has('lid')) content.push({ tag: 'lid', attrs: { val: peer.lidJid } });
    if (peer && wants.has('status'))
      content.push({ tag: 'status', attrs: { t: '0' }, content: Buffer.from('') });
    return { tag: 'user', attrs: { jid: peer && jid.endsWith('@lid') ? peer.lidJid : jid }, content };
  });
  return [
    {
      tag: 'usync',
      attrs: {
        sid: usync?.attrs.sid ?? '',
        index: '0',
        last: 'true',
        mode: usync?.attrs.mode ?? 'query',
        context: usync?.attrs.context ?? 'interactive',
      },
      content: [
        { tag: 'result', attrs: {}, content: [...wants].map((tag) => ({ tag, attrs: {} })) },
        { tag: 'list', attrs: {}, content: list },
      ],
    },
  ];
};
