import { useState } from 'preact/hooks';
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

type Value = Record<string, unknown>;

/**
 * A form drawn from a JSON schema (a plugin's per-session settings), so any plugin gets a
 * settings page without dashboard changes. Secrets (`writeOnly` or `format: password`) are
 * never shown; leaving one empty keeps the stored secret.
 */
export function SchemaForm({
  schema,
  stored,
  idPrefix,
  submitLabel = 'Save',
  onSubmit,
}: {
  schema: JsonSchema;
  stored?: Value;
  idPrefix: string;
  submitLabel?: string;
  onSubmit(value: Value): Promise<void> | void;
}) {
  const [value, setValue] = useState<Value>(() => initialValues(schema, stored));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [texts, setTexts] = useState<Record<string, string>>({});
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validateValue(schema, value);
    setProblems(found);
    const typed = new Set(Object.keys(texts).filter((key) => texts[key] !== ''));
    if (Object.keys(found).length === 0) await onSubmit(outgoingValue(schema, value, typed));
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
      onChange={change}
      render={render}
    />
  );
  return (
    <form class="schema-form" onSubmit={submit} noValidate>
      {schema.description && <p class="hint">{schema.description}</p>}
      {fieldsOf(schema).map(render)}
      <button type="submit" class="primary">
        {submitLabel}
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
        placeholder={field.kind === 'secret' ? 'unchanged' : undefined}
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
