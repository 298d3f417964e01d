/** A variable name: letters (any script), digits and `_`, not starting with a digit. */
export const variableNamePattern = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * A column header as a variable name: trimmed, runs of spaces, dots and dashes become `_`
 * (`First Name` → `First_Name`). Names stay case-sensitive.
 */
export function columnToVariable(header: string): string {
  return header.trim().replace(/[\s.-]+/g, '_');
}

/** The value of a recipient variable as text (numbers and booleans from JSON are stringified). */
export function variableText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
