import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';

/**
 * A button that asks first, in a native modal `<dialog>` (focus-trapped, closes on Escape).
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  confirmLabel: string;
  /** The button that closes without acting. @default 'Cancel' */
  cancelLabel?: string;
  onConfirm: () => void;
  danger?: boolean;
  disabled?: boolean;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button
        type="button"
        class={props.danger ? 'danger' : ''}
        disabled={props.disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <form
          method="dialog"
          onSubmit={(event) => {
            const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
            if (submitter?.value === 'yes') props.onConfirm();
          }}
        >
          <h2 id={titleId}>{props.title}</h2>
          {props.children}
          <div class="row">
            <button type="submit" value="no" autofocus>
              {props.cancelLabel ?? 'Cancel'}
            </button>
            <button type="submit" value="yes" class={props.danger ? 'danger' : 'primary'}>
              {props.confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
