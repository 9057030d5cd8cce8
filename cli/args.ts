/**
 * Parsers for option and argument values, checked where they enter (commander calls them while parsing, so a
 * bad value is a usage error, exit 2, naming the flag): ETH amounts, uint256 ids, counts, addresses, private keys.
 */
import { InvalidArgumentError } from 'commander';
import type { Address } from 'viem';
import { isAddress, parseEther } from './ethLight.ts';
import { printable } from './errors.ts';

const UINT256_MAX = (1n << 256n) - 1n;
/** The order of secp256k1: a private key k must satisfy 0 < k < n. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** An amount of ETH ("0.1", "2", "0.000000000000000001"): a non-negative decimal with at most 18 decimals, below 2^256 wei. */
export function parseEthAmount(v: string): string {
  const s = v.trim();
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) throw new InvalidArgumentError(`"${printable(v)}" is not an amount of ETH (expected a non-negative decimal such as 0.1)`);
  const frac = s.split('.')[1] ?? '';
  if (frac.length > 18) throw new InvalidArgumentError(`"${printable(v)}" has more than 18 decimals (1 wei = 0.000000000000000001 ETH)`);
  const [whole, fraction = ''] = s.split('.');
  if (BigInt(whole || '0') * 10n ** 18n + BigInt(fraction.padEnd(18, '0') || '0') > UINT256_MAX) throw new InvalidArgumentError(`"${printable(v)}" is more wei than a uint256 holds`);
  return s;
}

/** A uint256 id, decimal or 0x-hex, returned as a decimal string. */
export function parseUint256(v: string): string {
  const s = v.trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(s)) throw new InvalidArgumentError(`"${printable(v)}" is not an id (expected a whole number, decimal or 0x-hex)`);
  const n = BigInt(s);
  if (n > UINT256_MAX) throw new InvalidArgumentError(`"${printable(v, 24)}" is 2^256 or more; ids are uint256`);
  return n.toString();
}

/** A whole number ≥ min (a count, seconds, milliseconds, a port), at most 2^53 − 1. */
export function parseCount(min: number, what = 'a whole number'): (v: string) => number {
  return (v: string) => {
    const s = v.trim();
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`"${printable(v)}" is not ${what}${min > 0 ? ` (${min} or more)` : ', 0 or more'}`);
    return n;
  };
}

/** An address: 0x followed by 40 hex digits (any case). */
export function parseAddress(v: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v.trim())) throw new InvalidArgumentError(`"${printable(v)}" is not an address (expected 0x followed by 40 hex digits)`);
  return v.trim() as Address;
}

/** Why a private key is unusable, or undefined when it is a 32-byte hex key with 0 < k < secp256k1's n. */
export function privateKeyProblem(k: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(k)) return `is not a 32-byte hex key (${k.startsWith('0x') ? `${Math.max(0, k.length - 2)} hex characters` : 'no 0x prefix'})`;
  const n = BigInt(k);
  if (n === 0n) return 'is zero, which is not a valid secp256k1 key';
  if (n >= SECP256K1_N) return 'is not below the secp256k1 group order, so it is not a valid key';
  return undefined;
}

/** A TCP port, 1..65535. */
export function parsePort(v: string): number {
  const n = parseCount(1, 'a port')(v);
  if (n > 65535) throw new InvalidArgumentError(`"${printable(v)}" is not a port (1..65535)`);
  return n;
}
