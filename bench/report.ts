/**
 * Benchmark output: a printed table per section and one JSON file per run (bench/results/<name>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** ratio to the reference measured in the same run, with what it is a ratio to */
  ratio?: { value: number; to: string };
  note?: string;
}

export class Report {
  readonly sections: { title: string; figures: Figure[] }[] = [];

  section(title: string): Figure[] {
    const figures: Figure[] = [];
    this.sections.push({ title, figures });
    console.log(`\n${title}`);
    return figures;
  }

  add(figures: Figure[], f: Figure): void {
    figures.push(f);
    const value = f.value >= 1000 ? Math.round(f.value).toLocaleString('en-US') : Number(f.value.toPrecision(4)).toString();
    const ratio = f.ratio ? `  (${f.ratio.value.toFixed(2)}x ${f.ratio.to})` : '';
    console.log(`  ${f.name.padEnd(52)} ${value.padStart(14)} ${f.unit}${ratio}${f.note ? `  - ${f.note}` : ''}`);
  }

  write(name: string, meta: Record<string, unknown>): string {
    const dir = new URL('./results/', import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL(`${name}.json`, dir);
    writeFileSync(file, `${JSON.stringify({ ...meta, sections: this.sections }, null, 2)}\n`);
    return file.pathname;
  }
}

/** Median of `runs` timings of fn, in milliseconds. */
export function timeMs(fn: () => void, runs = 5): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** Median of `runs` timings of an (async) fn after `warmup` calls, in milliseconds. */
/** Runs fn for at least `ms` milliseconds (and at least `min` times): V8 tiers JS kernels up after ~1,000 calls. */
export async function warmUp(fn: () => unknown | Promise<unknown>, ms = 500, min = 20): Promise<void> {
  const end = performance.now() + ms;
  for (let i = 0; i < min || performance.now() < end; i++) await fn();
}

export async function medianMsAsync(fn: () => unknown | Promise<unknown>, runs = 100, warmup = 5): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    t.push(performance.now() - start);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}
