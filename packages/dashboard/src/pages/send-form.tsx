import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/notice.js';
import { call, describeError } from '../lib/api.js';
import { useAuth } from '../lib/auth.js';
import { fileToBase64, type Message, sendTypeFor } from '../lib/messages.js';
import type { Session } from '../lib/sessions.js';

/** Sends a test text, or a file with an optional caption. */
export function SendForm({
  session,
  defaultTo,
  onSent,
}: {
  session: Session;
  defaultTo: string | null;
  onSent(message: Message): void;
}) {
  const { client } = useAuth();
  const [to, setTo] = useState(defaultTo ?? '');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileKey, setFileKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setTo(defaultTo ?? ''), [defaultTo]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const recipient = to.trim();
      let sent: Message;
      if (file) {
        const type = sendTypeFor(file.type);
        const media = { base64: await fileToBase64(file) };
        const extra = { mimeType: file.type || 'application/octet-stream', fileName: file.name };
        const caption = text.trim() && type !== 'audio' ? { caption: text.trim() } : {};
        sent = await call(
          client.messages.send(session.id, { type, to: recipient, media, ...extra, ...caption } as never),
        );
      } else {
        sent = await call(client.messages.sendText(session.id, recipient, text));
      }
      onSent(sent);
      setText('');
      setFile(null);
      setFileKey((k) => k + 1);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="send-form" onSubmit={submit} aria-label="Send a test message">
      <label>
        To (phone number or chat JID)
        <input
          name="to"
          required
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
          placeholder="15550002222"
        />
      </label>
      <label>
        {file ? 'Caption (optional)' : 'Text'}
        <textarea
          name="text"
          rows={2}
          required={!file}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <label>
        File (optional)
        <input
          key={fileKey}
          name="file"
          type="file"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Sending…' : file ? 'Send file' : 'Send text'}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
