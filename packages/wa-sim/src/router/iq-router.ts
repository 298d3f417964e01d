import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from '../connection.js';
import type { SimulatorEmitter } from '../events.js';
import type { GroupRegistry } from '../groups/group-registry.js';
import { answerAppState } from '../messages/app-state.js';
import type { Pairing } from '../pairing/pairing.js';
import type { Registry } from '../registry.js';
import { bytesOf, childOf, childrenOf } from '../util.js';
import { answerBlocklist } from './blocklist.js';
import { prekeyBundles, storeUploadedPreKeys } from './prekeys.js';
import { answerUsync } from './usync.js';

/** What the iq router needs from the simulator. */
export interface IqContext {
  registry: Registry;
  pairing: Pairing;
  groups: GroupRegistry;
  events: SimulatorEmitter;
  /** `host:port` of the HTTPS media server. */
  mediaHost(): string;
}

type Reply = BinaryNode[] | undefined | 'ignore';

/**
 * Answers every iq a Baileys client sends, so a connected client never waits for a
 * timeout. Unknown queries get an empty `result`.
 */
export const handleIq = (ctx: IqContext, connection: SimConnection, iq: BinaryNode): void => {
  const first = childrenOf(iq)[0];
  ctx.events.emit('iq', {
    deviceJid: connection.companion?.jid,
    xmlns: iq.attrs.xmlns,
    type: iq.attrs.type,
    child: first?.tag,
  });
  if (iq.attrs.type === 'result' || iq.attrs.type === 'error') {
    ctx.pairing.onIqResult(connection, iq);
    return;
  }
  const reply = route(ctx, connection, iq, first);
  if (reply === 'ignore') return;
  connection.send({
    tag: 'iq',
    attrs: {
      from: iq.attrs.to ?? 's.whatsapp.net',
      type: reply?.[0]?.tag === 'error' ? 'error' : 'result',
      id: iq.attrs.id ?? '',
    },
    ...(reply ? { content: reply } : {}),
  });
};

const route = (
  ctx: IqContext,
  connection: SimConnection,
  iq: BinaryNode,
  first: BinaryNode | undefined,
): Reply => {
  const companion = connection.companion;
  switch (iq.attrs.xmlns) {
    case 'w:p':
      return companion && !companion.answerPings ? 'ignore' : undefined;
    case 'encrypt':
      return encrypt(ctx, connection, iq, first);
    case 'usync':
      return answerUsync(ctx.registry, companion, iq);
    case 'w:m':
      if (first?.tag !== 'media_conn') return undefined;
      return [
        {
          tag: 'media_conn',
          attrs: { auth: 'sim-auth', ttl: '3600', auth_ttl: '3600', max_buckets: '12' },
          content: [
            { tag: 'host', attrs: { hostname: ctx.mediaHost(), maxContentLengthBytes: '104857600' } },
          ],
        },
      ];
    case 'abt':
    case 'w':
      return [{ tag: 'props', attrs: { protocol: first?.attrs.protocol ?? '1', hash: 'sim' }, content: [] }];
    case 'privacy':
      if (iq.attrs.type !== 'get' || first?.tag !== 'privacy') return undefined;
      return [
        {
          tag: 'privacy',
          attrs: {},
          content: [{ tag: 'category', attrs: { name: 'readreceipts', value: 'all' } }],
        },
      ];
    case 'blocklist':
      return answerBlocklist(ctx.registry, companion, iq);
    case 'status':
      if (companion && iq.attrs.type === 'set') companion.account.status = bytesOf(first).toString('utf8');
      return undefined;
    case 'w:profile:picture':
      // nobody has a picture; an unknown user is item-not-found, as on WhatsApp
      return ctx.registry.peer(iq.attrs.target ?? '') || (iq.attrs.target ?? '').endsWith('@g.us')
        ? undefined
        : [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }];
    case 'w:sync:app:state':
      return answerAppState(ctx.events, companion, iq);
    case 'md':
      if (first?.tag === 'link_code_companion_reg') return ctx.pairing.onLinkCodeIq(connection, first);
      return undefined;
    case 'w:g2':
      return ctx.groups.answerIq(iq, first, companion);
    default:
      return undefined;
  }
};

const encrypt = (
  ctx: IqContext,
  connection: SimConnection,
  iq: BinaryNode,
  first: BinaryNode | undefined,
): Reply => {
  const companion = connection.companion;
  if (first?.tag === 'count')
    return [{ tag: 'count', attrs: { value: String(companion?.preKeys.size ?? 0) } }];
  if (first?.tag === 'digest') return [{ tag: 'digest', attrs: {} }];
  if (first?.tag === 'key') return prekeyBundles(ctx.registry, first);
  if (iq.attrs.type === 'set' && companion && childOf(iq, 'list')) storeUploadedPreKeys(companion, iq);
  return undefined;
};
