import os from 'node:os';

/** One printed figure: what was measured, its reference from the same run, and their ratio. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The reference measured in the same run (omit for figures that have none). */
  reference?: { name: string; value: number };
  /** `higher` when more is better (throughput), `lower` for latencies and sizes. */
  better: 'higher' | 'lower';
}

/** The machine's state, printed beside every benchmark. */
export function machine(): string {
  const [one, five] = os.loadavg();
  return `${os.cpus().length} cores, load ${one?.toFixed(2)} (1 min) ${five?.toFixed(2)} (5 min), node ${process.version}`;
}

const fmt = (n: number) =>
  Number.isFinite(n) ? (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)) : 'n/a';

/** Prints a titled table of figures with their references and ratios (value ÷ reference). */
export function printFigures(title: string, figures: Figure[], notes: string[] = []): void {
  const lines = [`\n## ${title}`, `machine: ${machine()}`, ...notes.map((n) => `note: ${n}`)];
  lines.push('| figure | value | reference | ratio |', '|---|---:|---|---:|');
  for (const f of figures) {
    const ref = f.reference ? `${f.reference.name}: ${fmt(f.reference.value)} ${f.unit}` : '—';
    const ratio = f.reference && f.reference.value > 0 ? `${(f.value / f.reference.value).toFixed(2)}×` : '—';
    lines.push(`| ${f.name} | ${fmt(f.value)} ${f.unit} | ${ref} | ${ratio} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The `p`-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** Resolves when `check` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}
