import { FormatRegistry } from '@sinclair/typebox';

// TypeBox's `Value` knows no string formats until they are registered: without these, any
// options or tuning schema using `format: 'uri'` (or 'uuid', 'date-time', 'email') would
// report "Unknown format" for every value. Hosts may register stricter checks first.
const formats: Record<string, (value: string) => boolean> = {
  uri: (value) => {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return false;
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  },
  uuid: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value)),
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
};

/** Registers the string formats core's schemas use, unless the host already did. */
export function registerFormats(): void {
  for (const [name, check] of Object.entries(formats)) {
    if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);
  }
}
