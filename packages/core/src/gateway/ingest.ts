import type { EventType, GatewayEventMap } from '../contracts/events.js';
import type { NewMessage } from '../contracts/message.js';
import type { Session } from '../contracts/session.js';
import type { Logger } from '../logger.js';
import type { Connection, ConnectorEvent, InboundMessage, StateChange } from '../ports/connector.js';
import type { MediaStore } from '../ports/media.js';
import type { NewEvent, Repositories, Store } from '../ports/store.js';
import { appendEvent, newEvent } from './event-writer.js';
import { countReceived, type MessageMetrics } from './gateway-metrics.js';
import { asMessage, type HookRunner } from './hooks.js';
import { InboundWriter } from './inbound-writer.js';
import type { GatewayTuning } from './options.js';

type Event<T extends ConnectorEvent['type']> = Extract<ConnectorEvent, { type: T }>;

/** Records an event of the session, appended with the others at the end of the transaction. */
type Emit = <K extends EventType>(type: K, data: GatewayEventMap[K]) => void;

const isGroupJid = (jid: string) => jid.endsWith('@g.us');
const isStatusJid = (jid: string) => jid === 'status@broadcast';

/**
 * Turns what a connection reports into stored state and durable events: each change and its
 * event are written in one transaction, and replays (same waid) change nothing.
 */
export class Ingest {
  private readonly writer: InboundWriter;

  constructor(
    private readonly store: Store,
    private readonly tuning: GatewayTuning,
    private readonly logger: Logger,
    private readonly mediaStore: MediaStore | undefined,
    private readonly hooks: HookRunner,
    private readonly counters: Pick<MessageMetrics, 'received' | 'sendFailures'>,
  ) {
    this.writer = new InboundWriter(store, tuning.inbound);
  }

  handle = async (session: Session, event: ConnectorEvent, connection: Connection): Promise<void> => {
    switch (event.type) {
      case 'messages':
        return this.messages(session, event, connection);
      case 'call':
        return this.call(session, event, connection);
      case 'batch':
        return this.changes(session, event.changes);
      case 'connecting':
      case 'qr':
      case 'open':
      case 'close':
        return;
      default:
        return this.changes(session, [event]);
    }
  };

  /**
   * Stores changes in one transaction, in order, their events appended together at the end;
   * the contacts among them are written with one statement that returns only what changed.
   */
  private async changes(session: Session, changes: readonly StateChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.store.transaction(async (tx) => {
      const events: NewEvent[] = [];
      const emit: Emit = (type, data) => void events.push(newEvent(type, session.id, data as never));
      const contacts = changes.flatMap((c) => (c.type === 'contacts' ? c.contacts : []));
      let contactsDone = false;
      for (const change of changes) {
        if (change.type !== 'contacts') await this.apply(tx, session, change, emit);
        else if (!contactsDone) {
          contactsDone = true;
          for (const contact of await tx.contacts.upsertChanged(session.id, contacts))
            emit('contact.upserted', { contact });
        }
      }
      await tx.events.appendMany(events);
    });
    // WhatsApp refused one of our sends (`ack error`), even one already marked sent
    for (const change of changes)
      if (change.type === 'message.status' && change.status === 'failed')
        this.counters.sendFailures.inc({ code: `WHATSAPP_ACK_${change.error ?? 'ERROR'}` });
  }

  /** One change (not contacts: see {@link changes}) and its events, in `tx`. */
  private async apply(
    tx: Repositories,
    session: Session,
    event: Exclude<StateChange, { type: 'contacts' }>,
    emit: Emit,
  ): Promise<void> {
    switch (event.type) {
      case 'message.status': {
        const moved = await tx.messages.advanceStatus(session.id, event.chatId, event.waid, event.status);
        if (!moved) return;
        if (event.error)
          await tx.messages.update(session.id, moved.message.id, {
            metadata: { ...moved.message.metadata, error: event.error },
          });
        return emit('message.status', {
          messageId: moved.message.id,
          chatId: event.chatId,
          waid: event.waid,
          status: moved.message.status,
          previous: moved.previous,
          ...(event.error ? { error: event.error } : {}),
        });
      }
      case 'message.edited': {
        const message = await tx.messages.getByWaid(session.id, event.chatId, event.waid);
        if (!message) return;
        const edits = [
          ...(message.metadata.edits ?? []),
          { content: message.content, editedAt: event.editedAt },
        ];
        if (edits.some((e, i) => i < edits.length - 1 && e.editedAt === event.editedAt)) return; // replay
        const updated = await tx.messages.update(session.id, message.id, {
          content: event.content,
          msgType: event.msgType,
          metadata: { ...message.metadata, edits },
        });
        return emit('message.edited', { message: updated, previousContent: message.content });
      }
      case 'message.deleted': {
        const message = await tx.messages.getByWaid(session.id, event.chatId, event.waid);
        if (!message || message.metadata.deletedAt) return;
        await tx.messages.update(session.id, message.id, {
          metadata: { ...message.metadata, deletedAt: new Date().toISOString() },
          ...(this.tuning.keepDeletedContent ? {} : { msgType: 'unsupported', content: { kind: 'revoked' } }),
        });
        return emit('message.deleted', {
          messageId: message.id,
          chatId: event.chatId,
          waid: event.waid,
          deletedBy: event.deletedBy,
        });
      }
      case 'message.reaction':
        return this.reaction(tx, session, event, emit);
      case 'poll.vote':
        return this.pollVote(tx, session, event, emit);
      case 'chats':
        for (const input of event.chats) {
          if (event.onlyExisting && !(await tx.chats.get(session.id, input.chatJid))) continue;
          const chat = await tx.chats.upsert(session.id, input);
          emit('chat.upserted', { chat });
        }
        return;
      case 'chat.deleted':
        if (await tx.chats.delete(session.id, event.chatJid))
          emit('chat.deleted', { chatJid: event.chatJid });
        return;
      case 'groups':
        for (const group of event.groups) {
          await tx.chats.upsert(session.id, {
            chatJid: group.jid,
            chatName: group.subject,
            isGroup: true,
            metadata: { group },
          });
          emit('group.upserted', { group: { ...group, sessionId: session.id } });
        }
        return;
      case 'group.participants':
        return emit('group.participants', {
          groupJid: event.groupJid,
          action: event.action,
          participants: event.participants,
          actor: event.actor,
        });
      case 'presence':
        return emit('presence.updated', {
          chatJid: event.chatJid,
          jid: event.jid,
          presence: event.presence,
          lastSeen: event.lastSeen,
        });
    }
  }

  private async messages(session: Session, event: Event<'messages'>, connection: Connection): Promise<void> {
    if (event.history && !session.settings.syncHistory) return;
    const prepared: NewMessage[] = [];
    for (const inbound of event.messages) {
      if (session.settings.ignoreGroups && isGroupJid(inbound.chatId)) continue;
      if (session.settings.ignoreStatus && isStatusJid(inbound.chatId)) continue;
      const message = await this.prepare(session, inbound);
      if (message) prepared.push(event.history ? message : await this.filter(message));
    }
    const stored = await this.writer.write(prepared, event.history);
    if (!event.history) countReceived(this.counters.received, stored);
    const toRead = event.history ? [] : stored.filter((m) => !m.isFromMe);
    if (session.settings.markRead && toRead.length > 0) {
      // after this returns: a connector stores before it acknowledges, and "read" follows "delivered"
      setImmediate(() => void this.markRead(connection, toRead));
    }
  }

  private async markRead(connection: Connection, messages: readonly NewMessage[]): Promise<void> {
    const byChat = new Map<string, NewMessage[]>();
    for (const m of messages) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m]);
    for (const [chatId, inChat] of byChat) {
      await connection
        .markRead(
          chatId,
          inChat.map((m) => ({ waid: m.waid, fromMe: false, senderJid: m.senderJid ?? null })),
        )
        .catch((error) => this.logger.warn({ err: error, chatId }, 'auto mark-read failed'));
    }
  }

  /** Receive → filter: a live message from someone else may be marked ignored for plugins. */
  private async filter(message: NewMessage & { id: string }): Promise<NewMessage> {
    if (message.isFromMe) return message;
    const ignoredBy = await this.hooks.ignoredBy(asMessage(message));
    return ignoredBy ? { ...message, metadata: { ...message.metadata, ignoredBy } } : message;
  }

  /** The row to store, with its media downloaded first (`null`: a replay of stored media). */
  private async prepare(
    session: Session,
    inbound: InboundMessage,
  ): Promise<(NewMessage & { id: string }) | null> {
    const { media, ...message } = inbound;
    const id = crypto.randomUUID();
    let mediaInfo = message.mediaInfo ?? null;
    if (media && mediaInfo && this.mediaStore && this.tuning.media.downloadInbound) {
      // a replay must not download again (plain messages need no look-up: storing is a no-op)
      if (await this.store.messages.getByWaid(session.id, inbound.chatId, inbound.waid)) return null;
      try {
        const data = await media.download();
        const stored = await this.mediaStore.put(`${session.id}/${id}`, data, {
          maxBytes: this.tuning.media.maxBytes,
        });
        mediaInfo = {
          ...mediaInfo,
          path: stored.path,
          size: stored.size,
          sha256: stored.sha256,
        };
      } catch (error) {
        this.logger.warn({ err: error, waid: message.waid }, 'inbound media could not be stored');
        mediaInfo = { ...mediaInfo, error: error instanceof Error ? error.message : String(error) };
      }
    }
    return {
      ...message,
      id,
      sessionId: session.id,
      mediaInfo,
      status: message.status ?? (message.isFromMe ? 'sent' : 'delivered'),
    };
  }

  private async reaction(
    tx: Repositories,
    session: Session,
    event: Event<'message.reaction'>,
    emit: Emit,
  ): Promise<void> {
    const target = await tx.messages.getByWaid(session.id, event.chatId, event.targetWaid);
    if (target) {
      const others = (target.metadata.reactions ?? []).filter((r) => r.senderJid !== event.senderJid);
      const reactions = event.emoji
        ? [...others, { senderJid: event.senderJid, emoji: event.emoji, at: event.at }]
        : others;
      await tx.messages.update(session.id, target.id, { metadata: { ...target.metadata, reactions } });
    }
    emit('message.reaction', {
      messageId: target?.id ?? null,
      chatId: event.chatId,
      targetWaid: event.targetWaid,
      senderJid: event.senderJid,
      emoji: event.emoji,
    });
  }

  /**
   * One entry per voter, the latest wins (a retracted vote stays as `options: []`); replays
   * and votes older than the stored one change nothing.
   */
  private async pollVote(
    tx: Repositories,
    session: Session,
    event: Event<'poll.vote'>,
    emit: Emit,
  ): Promise<void> {
    const poll = await tx.messages.getByWaid(session.id, event.chatId, event.pollWaid);
    if (!poll) return;
    const votes = poll.metadata.pollVotes ?? [];
    const previous = votes.find((v) => v.voterJid === event.voterJid);
    if (previous && Date.parse(previous.at) >= Date.parse(event.at)) return;
    const pollVotes = [
      ...votes.filter((v) => v !== previous),
      { voterJid: event.voterJid, options: event.options, at: event.at },
    ];
    await tx.messages.update(session.id, poll.id, { metadata: { ...poll.metadata, pollVotes } });
    emit('message.poll_vote', {
      messageId: poll.id,
      chatId: event.chatId,
      pollWaid: event.pollWaid,
      voterJid: event.voterJid,
      options: event.options,
    });
  }

  private async call(session: Session, event: Event<'call'>, connection: Connection): Promise<void> {
    const reject = session.settings.rejectCalls && event.status === 'offer';
    if (reject) {
      await connection
        .rejectCall(event.callId, event.from)
        .catch((error) => this.logger.warn({ err: error }, 'reject call failed'));
      if (session.settings.rejectCallMessage) {
        await connection
          .send(event.from, { type: 'text', to: event.from, text: session.settings.rejectCallMessage }, {})
          .catch((error) => this.logger.warn({ err: error }, 'call rejection message failed'));
      }
    }
    await this.store.transaction(async (tx) => {
      await appendEvent(tx, 'call.received', session.id, {
        callId: event.callId,
        from: event.from,
        isVideo: event.isVideo,
        isGroup: event.isGroup,
        status: event.status,
        rejected: reject,
      });
    });
  }
}
