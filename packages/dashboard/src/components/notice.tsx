import type { ComponentChildren } from 'preact';

/** A message box: `error` is announced to screen readers at once, `info` politely. */
export function Notice({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'error' | 'ok';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** An error sentence, or nothing. */
export function ErrorNotice({ error }: { error: string | null | undefined }) {
  return error ? <Notice kind="error">{error}</Notice> : null;
}
