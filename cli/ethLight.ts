/**
 * The two viem helpers the argument parsers (cli/args.ts) need, without loading viem: the command router runs
 * them while parsing, so `opml --help` and the light commands would otherwise load all of viem (~0.5-1 s).
 * Same results as viem's for what args.ts passes them (test/cli/fast-start.test.ts compares).
 */

/** viem's `isAddress(v, { strict: false })`: 0x and 40 hex digits (the checksum is not checked). */
export function isAddress(v: string, opts: { strict: false }): boolean {
  void opts;
  return /^0x[0-9a-fA-F]{40}$/.test(v);
}

/** viem's `parseEther` for a non-negative decimal with at most 18 decimals ("0.1", "2", ".5"): wei. */
export function parseEther(s: string): bigint {
  const m = /^(\d*)(?:\.(\d{0,18}))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) throw new Error(`"${s}" is not a non-negative decimal with at most 18 decimals`);
  return BigInt(m[1] || '0') * 10n ** 18n + BigInt((m[2] ?? '').padEnd(18, '0'));
}
