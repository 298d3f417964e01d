import { useState } from 'preact/hooks';
import { MediaPreview } from '../components/media-preview.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { MessageBadge } from '../components/status.js';
import { call } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { useLiveEvents, useLiveResource } from '../lib/live.js';
import { type Chat, fileLabel, type Message, mergeMessage, messageText } from '../lib/messages.js';
import type { Session } from '../lib/sessions.js';
import { SendForm } from './send-form.js';

/** Recent chats and messages of a session, with statuses that move live, and a test send. */
export function SessionMessages({ session }: { session: Session }) {
  const { client } = useAuth();
  const [chatId, setChatId] = useState<string | null>(null);
  const path = { path: { sessionId: session.id } };
  const chats = useLiveResource(
    async () =>
      (
        await call(
          client.api.GET('/v1/sessions/{sessionId}/chats', { params: { ...path, query: { limit: 20 } } }),
        )
      ).items,
    [session.id],
  );
  const messages = useLiveResource(
    async () =>
      (await call(client.messages.list(session.id, { limit: 30, ...(chatId ? { chatId } : {}) }))).items,
    [session.id, chatId],
  );
  useLiveEvents((event) => {
    if (event.sessionId !== session.id) return;
    if (event.type === 'message.received' || event.type === 'message.sent') {
      const message = event.data.message;
      if (!chatId || message.chatId === chatId) messages.setData((list) => mergeMessage(list ?? [], message));
    } else if (event.type === 'message.status') {
      const { messageId, status } = event.data;
      messages.setData((list) => list?.map((m) => (m.id === messageId ? { ...m, status } : m)));
    } else if (event.type === 'chat.upserted') {
      const chat = event.data.chat;
      chats.setData((list) => [chat, ...(list ?? []).filter((c) => c.chatJid !== chat.chatJid)]);
    }
  });
  return (
    <div class="messages-layout">
      <section class="card" aria-labelledby="chats-title">
        <h2 id="chats-title">Recent chats</h2>
        <ErrorNotice error={chats.error} />
        {chats.data?.length === 0 && <p class="hint">No chat yet.</p>}
        <ul class="chat-list">
          <li>
            <button type="button" aria-pressed={chatId === null} onClick={() => setChatId(null)}>
              All chats
            </button>
          </li>
          {chats.data?.map((chat) => (
            <li key={chat.chatJid}>
              <button
                type="button"
                aria-pressed={chatId === chat.chatJid}
                onClick={() => setChatId(chat.chatJid)}
              >
                {chatLabel(chat)}
                {chat.unreadCount > 0 && <span class="count"> {chat.unreadCount} unread</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="messages-title">
        <h2 id="messages-title">Messages</h2>
        {session.status === 'connected' ? (
          <SendForm
            session={session}
            defaultTo={chatId}
            onSent={(m) => messages.setData((list) => mergeMessage(list ?? [], m))}
          />
        ) : (
          <Notice>Connect the session to send messages.</Notice>
        )}
        <ErrorNotice error={messages.error} />
        {messages.data?.length === 0 && <p class="hint">No message yet.</p>}
        <ol class="message-list" aria-live="polite">
          {messages.data?.map((m) => (
            <MessageItem key={m.id} message={m} />
          ))}
        </ol>
      </section>
    </div>
  );
}

function chatLabel(chat: Chat): string {
  return chat.chatName ?? (chat.phoneNumber ? `+${chat.phoneNumber}` : chat.chatJid);
}

function MessageItem({ message }: { message: Message }) {
  return (
    <li class={message.isFromMe ? 'out' : 'in'} data-message-id={message.id} data-waid={message.waid}>
      <div class="meta">
        <span>
          {message.isFromMe
            ? `To ${message.chatId.split('@')[0]}`
            : `From ${message.senderName ?? message.senderJid?.split('@')[0] ?? 'unknown'}`}
        </span>
        <time dateTime={message.timestamp}>{new Date(message.timestamp).toLocaleTimeString()}</time>
        {message.isFromMe && <MessageBadge status={message.status} />}
      </div>
      <p class="text">{messageText(message)}</p>
      {message.mediaInfo && <p class="hint file">File: {fileLabel(message)}</p>}
      <MediaPreview message={message} />
    </li>
  );
}
