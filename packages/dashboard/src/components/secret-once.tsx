import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** A secret the server shows only once (session key, webhook secret), with a copy button. */
export function SecretOnce({
  label,
  secret,
  children,
}: {
  label: string;
  secret: string;
  children?: ComponentChildren;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="notice notice-ok secret" role="status">
      <p>
        <strong>{label}</strong> — shown only now; store it somewhere safe.
      </p>
      <div class="row">
        <code class="secret-value">{secret}</code>
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      {children}
    </div>
  );
}
