/**
 * How a chain command sends transactions and reads logs, as a daemon on a real chain must: EIP-1559 fee caps,
 * a confirmation depth, the largest block range one eth_getLogs may span, and (optionally) a remote signer.
 *
 *   --max-fee <gwei>        OPML_MAX_FEE        maxFee         cap on maxFeePerGas; refuse to send while the base fee is above it
 *   --priority-fee <gwei>   OPML_PRIORITY_FEE   priorityFee    maxPriorityFeePerGas (the tip)
 *   --confirmations <n>     OPML_CONFIRMATIONS  confirmations  blocks a transaction (and any state read) must be under (default 1)
 *   --log-range <blocks>    OPML_LOG_RANGE      logRange       blocks per eth_getLogs (default 5000; halved when the node refuses)
 *   --signer-url <url>      OPML_SIGNER_URL     signerUrl      a remote JSON-RPC signer (Clef, Web3Signer): eth_accounts, eth_signTransaction
 *   --signer-address <addr> OPML_SIGNER_ADDRESS signerAddress  which of its accounts (default: its first)
 */
import { isAddress, parseGwei, type Address } from 'viem';
import { ExitCode, OpmlError } from '../errors.ts';

export const DEFAULT_CONFIRMATIONS = 1;
export const DEFAULT_LOG_RANGE = 5000;

/** A remote signer: transactions are signed there and broadcast to the RPC from here. */
export interface RemoteSignerSpec {
  url: string;
  /** the account to sign with (default: the signer's first account) */
  address?: Address;
}

/** Transaction and log-reading settings of a GameChain (every field optional: viem's defaults, 1 confirmation, 5000 blocks). */
export interface TxSettings {
  /** maxFeePerGas in wei; also a cap: nothing is sent while the latest base fee is above it */
  maxFeePerGas?: bigint;
  /** maxPriorityFeePerGas in wei */
  maxPriorityFeePerGas?: bigint;
  /** blocks a transaction must be under before it counts as done; state is read at head − (confirmations − 1) */
  confirmations?: number;
  /** the most blocks one eth_getLogs may span */
  logRange?: number;
}

/** The raw settings as they come from flags, the environment or the config file. */
export interface TxSettingsInput {
  maxFee?: string | number;
  priorityFee?: string | number;
  confirmations?: string | number;
  logRange?: string | number;
}

/** An amount of gwei ("30", "1.5", "0.001") in wei; `name` names the setting in the error. */
export function parseGweiAmount(v: string | number, name: string): bigint {
  const s = String(v).trim();
  if (!/^\d+(\.\d{1,9})?$/.test(s)) throw new OpmlError(`${name}: "${v}" is not an amount of gwei`, ExitCode.USAGE, `give a decimal number of gwei, 0 or more, e.g. ${name} 30 or ${name} 1.5`);
  return parseGwei(s);
}

function parseCount(v: string | number, name: string, min: number, example: string): number {
  const s = String(v).trim();
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < min) throw new OpmlError(`${name}: "${v}" is not a whole number of ${min === 1 ? 'at least 1' : `at least ${min}`}`, ExitCode.USAGE, `e.g. ${name} ${example}`);
  return n;
}

/** Validate the raw settings; each bad one is a one-line usage error (exit 2). */
export function parseTxSettings(raw: TxSettingsInput, names: Record<keyof TxSettingsInput, string> = { maxFee: '--max-fee', priorityFee: '--priority-fee', confirmations: '--confirmations', logRange: '--log-range' }): TxSettings {
  const s: TxSettings = {};
  if (raw.maxFee !== undefined && raw.maxFee !== '') s.maxFeePerGas = parseGweiAmount(raw.maxFee, names.maxFee);
  if (raw.priorityFee !== undefined && raw.priorityFee !== '') s.maxPriorityFeePerGas = parseGweiAmount(raw.priorityFee, names.priorityFee);
  if (s.maxFeePerGas !== undefined && s.maxPriorityFeePerGas !== undefined && s.maxPriorityFeePerGas > s.maxFeePerGas) {
    throw new OpmlError(`${names.priorityFee} ${raw.priorityFee} gwei is above ${names.maxFee} ${raw.maxFee} gwei`, ExitCode.USAGE, 'the tip is paid out of the max fee: make the priority fee at most the max fee');
  }
  if (raw.confirmations !== undefined && raw.confirmations !== '') s.confirmations = parseCount(raw.confirmations, names.confirmations, 1, '3');
  if (raw.logRange !== undefined && raw.logRange !== '') s.logRange = parseCount(raw.logRange, names.logRange, 1, '2000');
  return s;
}

/** Validate a remote signer's URL and address. */
export function parseSigner(url: string, address: string | undefined): RemoteSignerSpec {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new OpmlError(`--signer-url: "${url}" is not a URL`, ExitCode.USAGE, 'e.g. --signer-url http://127.0.0.1:8550 (Clef) or http://127.0.0.1:9000 (Web3Signer)');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OpmlError(`--signer-url: "${url}" is not an http(s) URL`, ExitCode.USAGE, 'the signer must answer JSON-RPC over HTTP');
  if (address !== undefined && !isAddress(address, { strict: false })) throw new OpmlError(`--signer-address: "${address}" is not an address`, ExitCode.USAGE, 'pass 0x followed by 40 hex digits');
  return { url, address: address as Address | undefined };
}
