/** The session name field, with the server's rules (so the browser explains them first). */
export function SessionNameInput({ value, onInput }: { value: string; onInput(value: string): void }) {
  return (
    <label>
      Name
      <input
        name="name"
        required
        maxLength={64}
        pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
        title="Letters, digits, dot, dash and underscore; starts with a letter or digit"
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </label>
  );
}
