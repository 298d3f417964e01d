import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Companion, Registry } from '../registry.js';
import { childrenOf } from '../util.js';

/**
 * Answers a `blocklist` iq: a `set` blocks or unblocks each `<item action jid pn_jid/>`
 * (Baileys addresses the contact by LID, with its phone jid on block) on the companion's
 * account; every answer lists the account's blocked LIDs.
 */
export const answerBlocklist = (
  registry: Registry,
  companion: Companion | undefined,
  iq: BinaryNode,
): BinaryNode[] => {
  if (!companion) return [{ tag: 'list', attrs: {}, content: [] }];
  const blocked = companion.account.blocked ?? new Map<string, string>();
  companion.account.blocked = blocked;
  if (iq.attrs.type === 'set') {
    for (const item of childrenOf(iq).filter((child) => child.tag === 'item')) {
      const jid = item.attrs.jid;
      if (!jid) continue;
      if (item.attrs.action === 'block')
        blocked.set(jid, item.attrs.pn_jid ?? registry.peer(jid)?.jid ?? jid);
      else if (item.attrs.action === 'unblock') blocked.delete(jid);
    }
  }
  return [
    {
      tag: 'list',
      attrs: {},
      content: [...blocked.keys()].map((jid) => ({ tag: 'item', attrs: { jid } })),
    },
  ];
};
