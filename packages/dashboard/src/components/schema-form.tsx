import { useRef, useState } from 'preact/hooks';
import { ApiError, describeError } from '../lib/api.js';
import { problemsByField } from '../lib/plugins.js';
import {
  type Field,
  fieldsOf,
  getAt,
  initialValues,
  type JsonSchema,
  outgoingValue,
  parseInput,
  setAt,
} from '../lib/schema-form.js';
import { validateValue } from '../lib/schema-validate.js';
import { Notice } from './notice.js';

type Value = Record<string, unknown>;

/**
 * A form drawn from a JSON schema (a plugin's per-session settings), so any plugin gets a
 * settings page without dashboard changes. Secrets (`writeOnly` or `format: password`) are
 * never shown; leaving one empty keeps the stored secret (`secretsSet` names the stored ones).
 * Every problem is shown by its field: the obvious ones before sending, and those of a 400
 * answer (its `details`) after; the first problem gets the focus.
 */
export function SchemaForm({
  schema,
  stored,
  secretsSet,
  idPrefix,
  submitLabel = 'Save',
  onSubmit,
}: {
  schema: JsonSchema;
  stored?: Value | null;
  secretsSet?: readonly string[];
  idPrefix: string;
  submitLabel?: string;
  /** Sends the value; a thrown {@link ApiError} with validation `details` marks the fields. */
  onSubmit(value: Value): Promise<void> | void;
}) {
  const [value, setValue] = useState<Value>(() => initialValues(schema, stored ?? undefined));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const show = (found: Record<string, string>) => {
    setProblems(found);
    // after the render: focus the first marked input, so keyboard users land on it
    setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validateValue(schema, value, secretsSet);
    show(found);
    if (Object.keys(found).length > 0) return;
    const typed = new Set(Object.keys(texts).filter((key) => texts[key] !== ''));
    setBusy(true);
    try {
      await onSubmit(outgoingValue(schema, value, typed));
    } catch (error) {
      const byField = error instanceof ApiError ? problemsByField(schema, error.details) : {};
      show(Object.keys(byField).length > 0 ? byField : { '': describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  const change = (field: Field, next: unknown, text?: string) => {
    setValue((v) => setAt(v, field.path, next));
    if (text !== undefined) setTexts((t) => ({ ...t, [field.path.join('.')]: text }));
  };
  const render = (field: Field) => (
    <FieldInput
      key={field.path.join('.')}
      field={field}
      id={`${idPrefix}-${field.path.join('-')}`}
      value={getAt(value, field.path)}
      text={texts[field.path.join('.')]}
      problem={problems[field.path.join('.')]}
      secretSet={secretsSet?.includes(field.path.join('.'))}
      onChange={change}
      render={render}
    />
  );
  const general = problems[''];
  const marked = Object.keys(problems).filter((key) => key !== '').length;
  return (
    <form class="schema-form" onSubmit={submit} noValidate ref={form}>
      {schema.description && <p class="hint">{schema.description}</p>}
      {fieldsOf(schema).map(render)}
      {(general || marked > 0) && (
        <Notice kind="error">
          {[
            general,
            marked === 1 ? 'One setting needs fixing (marked above)' : '',
            marked > 1 ? `${marked} settings need fixing (marked above)` : '',
          ]
            .filter(Boolean)
            .join('. ')}
        </Notice>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}

function FieldInput(props: {
  field: Field;
  id: string;
  value: unknown;
  text: string | undefined;
  problem: string | undefined;
  /** For a secret: whether the server has one (`undefined`: not known). */
  secretSet?: boolean | undefined;
  onChange(field: Field, next: unknown, text?: string): void;
  render(field: Field): preact.JSX.Element;
}) {
  const { field, id, value, problem } = props;
  const helpId = field.description ? `${id}-help` : undefined;
  const errorId = problem ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.path.join('.'),
    'aria-describedby': describedBy,
    'aria-invalid': problem ? true : undefined,
  };
  const help = (
    <>
      {field.description && <small id={helpId}>{field.description}</small>}
      {problem && (
        <small id={errorId} class="field-error">
          {field.label} {problem}
        </small>
      )}
    </>
  );
  if (field.kind === 'object')
    return (
      <fieldset>
        <legend>{field.label}</legend>
        {field.description && <small>{field.description}</small>}
        {field.fields?.map(props.render)}
      </fieldset>
    );
  if (field.kind === 'boolean')
    return (
      <div class="field">
        <label class="check" for={id}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => props.onChange(field, e.currentTarget.checked)}
          />
          {field.label}
        </label>
        {help}
      </div>
    );
  const label = (
    <label for={id}>
      {field.label}
      {field.required && <span aria-hidden="true"> *</span>}
    </label>
  );
  const fromText = (text: string) => {
    try {
      props.onChange(field, parseInput(field, text), text);
    } catch {
      props.onChange(field, undefined, text);
    }
  };
  let input: preact.JSX.Element;
  if (field.kind === 'select') {
    input = (
      <select
        {...common}
        required={field.required}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(e) => fromText(e.currentTarget.value)}
      >
        {(!field.required || value === undefined) && <option value="">—</option>}
        {field.options?.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'textarea' || field.kind === 'list' || field.kind === 'json') {
    const shown =
      props.text ??
      (field.kind === 'list'
        ? ((value as unknown[]) ?? []).join('\n')
        : field.kind === 'json'
          ? value === undefined
            ? ''
            : JSON.stringify(value, null, 2)
          : String(value ?? ''));
    input = (
      <textarea
        {...common}
        rows={4}
        required={field.required}
        value={shown}
        onInput={(e) => fromText(e.currentTarget.value)}
      />
    );
  } else {
    const type =
      field.kind === 'secret'
        ? 'password'
        : field.kind === 'number'
          ? 'number'
          : field.kind === 'text'
            ? 'text'
            : field.kind;
    const shown =
      field.kind === 'secret'
        ? (props.text ?? '')
        : (props.text ?? (value === undefined || value === null ? '' : String(value)));
    input = (
      <input
        {...common}
        type={type}
        required={field.required && field.kind !== 'secret'}
        autocomplete={field.kind === 'secret' ? 'new-password' : 'off'}
        placeholder={field.kind === 'secret' ? secretPlaceholder(props.secretSet) : undefined}
        step={field.integer ? 1 : field.kind === 'number' ? 'any' : undefined}
        min={field.schema.minimum}
        max={field.schema.maximum}
        value={shown}
        onInput={(e) => fromText(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="field">
      {label}
      {input}
      {help}
    </div>
  );
}

/** What an empty secret input means: the stored secret is kept, or there is none yet. */
function secretPlaceholder(set: boolean | undefined): string {
  if (set === undefined) return 'unchanged';
  return set ? 'stored (leave empty to keep it)' : 'not set';
}
