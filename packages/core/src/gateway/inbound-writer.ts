import type { ChatInput } from '../contracts/chat.js';
import type { Message, NewMessage } from '../contracts/message.js';
import type { NewEvent, Repositories, Store } from '../ports/store.js';
import { newEvent } from './event-writer.js';
import { groupCommit } from './group-commit.js';

/** Limits of the {@link InboundWriter}. */
export interface InboundWriterLimits {
  /** Messages stored per transaction at most. */
  maxBatch: number;
  /** Messages waiting for a transaction at most; more make `write` wait (back-pressure). */
  maxQueued: number;
}

interface Part {
  messages: NewMessage[];
  /** History is stored, not announced. */
  history: boolean;
}

const isGroupJid = (jid: string) => jid.endsWith('@g.us');
const chatKey = (sessionId: string, chatJid: string) => `${sessionId}\u0000${chatJid}`;

/**
 * Stores inbound messages with group commit ({@link groupCommit}): what arrives while a
 * transaction runs (from any session) is stored together by the next one, with multi-row
 * statements for messages, chats and events. One transaction at a time, so messages of one
 * chat never fight over its row, and each session's messages keep their arrival order. A
 * failing batch is retried part by part, so one session's bad message fails only its own write.
 */
export class InboundWriter {
  private readonly commit: (part: Part) => Promise<Message[]>;

  constructor(store: Store, limits: InboundWriterLimits) {
    this.commit = groupCommit(
      (parts: Part[]) => store.transaction((tx) => commit(tx, parts)),
      limits,
      (part) => part.messages.length,
    );
  }

  /**
   * Stores `messages` (a replayed waid changes nothing); each new one updates its chat and,
   * unless `history`, is announced after a `chat.upserted` of its chat. Resolves with the new
   * messages once committed.
   */
  async write(messages: NewMessage[], history: boolean): Promise<Message[]> {
    if (messages.length === 0) return [];
    return this.commit({ messages, history });
  }
}

/** One transaction: messages, their chats and their events, each with few statements. */
async function commit(tx: Repositories, parts: readonly Part[]): Promise<Message[][]> {
  const inserted = await tx.messages.insertMany(parts.flatMap((p) => p.messages));
  const partOf = new Map<string, number>();
  parts.forEach((part, i) => {
    for (const m of part.messages) if (m.id) partOf.set(m.id, i);
  });
  const chats = await tx.chats.upsertMany(
    inserted.map((m): ChatInput & { sessionId: string } => {
      const isGroup = isGroupJid(m.chatId);
      return {
        sessionId: m.sessionId,
        chatJid: m.chatId,
        isGroup,
        lastMsgAt: m.timestamp,
        ...(!isGroup && !m.isFromMe && m.senderName ? { chatName: m.senderName } : {}),
      };
    }),
  );
  const chatOf = new Map(chats.map((c) => [chatKey(c.sessionId, c.chatJid), c]));
  const events: NewEvent[] = [];
  const announced = new Set<string>();
  const results: Message[][] = parts.map(() => []);
  for (const m of inserted) {
    const i = partOf.get(m.id) ?? 0;
    results[i]?.push(m);
    if (parts[i]?.history) continue;
    const key = chatKey(m.sessionId, m.chatId);
    const chat = chatOf.get(key);
    if (chat && !announced.has(key)) {
      announced.add(key);
      events.push(newEvent('chat.upserted', m.sessionId, { chat }));
    }
    events.push(newEvent(m.isFromMe ? 'message.sent' : 'message.received', m.sessionId, { message: m }));
  }
  await tx.events.appendMany(events);
  return results;
}
