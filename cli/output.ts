/**
 * How commands talk: a human report on stdout, or one JSON document with --json; progress on stderr for
 * people at a terminal (never mixed into --json output).
 */

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

export class Output {
  constructor(private readonly opts: OutputOptions = {}) {}

  get json(): boolean {
    return this.opts.json === true;
  }

  /** A line of the human report (suppressed under --json); control characters from files or the chain are shown escaped. */
  line(text = ''): void {
    if (!this.json) process.stdout.write(`${visible(text)}\n`);
  }

  /** The machine-readable result (printed only under --json). */
  result(value: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  }

  /** One event of a long-running command as a JSON line (printed only under --json: a daemon's log for machines). */
  event(value: Record<string, unknown>): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}
`);
  }

  /** Progress for people on stderr (only on a terminal: logs and pipes get the result alone). */
  progress(text: string): void {
    if (!this.opts.quiet && !this.json && process.stderr.isTTY) process.stderr.write(`${visible(text)}\n`);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text for the terminal: every control character but the newline (ANSI escapes, CR, bidi overrides) as a visible escape. */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return c === '\t' ? '\\t' : c === '\r' ? '\\r' : n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** A compact table: columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}
