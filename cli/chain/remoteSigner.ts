/**
 * A remote signer (Clef, Web3Signer, or any node that answers eth_signTransaction for an unlocked account) as a
 * viem account: viem prepares each transaction here (nonce from our nonce manager, fees, gas estimate), the
 * signer signs it, and the raw transaction goes to --rpc-url with eth_sendRawTransaction. The key never
 * comes near this process. A signed transaction is checked before it is sent: it must recover to the account
 * and carry the nonce, recipient and calldata that were asked for.
 */
import { getAddress, parseTransaction, recoverTransactionAddress, toHex, type Address, type Hex, type LocalAccount, type TransactionSerializable, type TransactionSerializedGeneric } from 'viem';
import { toAccount } from 'viem/accounts';
import type { NonceManager } from 'viem/nonce';
import { ChainError } from '../game/errors.ts';
import type { RemoteSignerSpec } from './tx.ts';

/** A failure of the remote signer (unreachable, refused, or a bad signature): exit 4 like any chain failure. */
export class SignerError extends ChainError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'SignerError';
  }
}

const UNREACHABLE_HINT = 'start the signer (Clef: `clef --http`; Web3Signer: `web3signer eth1`) or fix --signer-url / OPML_SIGNER_URL';

async function call(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'cannot reach it';
    throw new SignerError(`the remote signer at ${url}: ${why} (${method})`, UNREACHABLE_HINT);
  }
  const text = await res.text().catch(() => '');
  let body: { result?: unknown; error?: { code?: number; message?: string } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new SignerError(`the remote signer at ${url} answered ${method} with HTTP ${res.status} and no JSON-RPC`, UNREACHABLE_HINT);
  }
  if (body.error) throw new SignerError(`the remote signer at ${url} refused ${method}: ${body.error.message ?? `error ${body.error.code}`}`, 'check that the signer holds this account and allows it to sign this transaction (its rules, its approval prompt)');
  if (!res.ok) throw new SignerError(`the remote signer at ${url} answered ${method} with HTTP ${res.status}`, UNREACHABLE_HINT);
  return body.result;
}

/** The transaction as eth_signTransaction takes it (hex quantities). */
function toRpc(tx: TransactionSerializable, from: Address): Record<string, unknown> {
  const q = (v: bigint | number | undefined) => (v === undefined ? undefined : toHex(v));
  const out: Record<string, unknown> = {
    from,
    to: tx.to ?? undefined,
    data: tx.data,
    value: q(tx.value ?? 0n),
    gas: q(tx.gas),
    nonce: q(tx.nonce),
    chainId: q(tx.chainId),
  };
  if (tx.maxFeePerGas !== undefined) {
    out.type = '0x2';
    out.maxFeePerGas = q(tx.maxFeePerGas);
    out.maxPriorityFeePerGas = q(tx.maxPriorityFeePerGas);
    if (tx.accessList && tx.accessList.length > 0) out.accessList = tx.accessList;
  } else if (tx.gasPrice !== undefined) {
    out.gasPrice = q(tx.gasPrice);
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The signer's account (`spec.address`, else its first) as a viem account using `nonceManager`. Throws a
 * SignerError when the signer cannot be reached or does not hold the account.
 */
export async function remoteSignerAccount(spec: RemoteSignerSpec, nonceManager: NonceManager, timeoutMs = 60_000): Promise<LocalAccount> {
  const accounts = (await call(spec.url, 'eth_accounts', [], Math.min(timeoutMs, 15_000))) as string[] | null;
  const held = (accounts ?? []).map((a) => a.toLowerCase());
  let address: Address;
  if (spec.address) {
    address = getAddress(spec.address);
    // Clef lists accounts only after approval, and may list none: then the signature check below still holds.
    if (held.length > 0 && !held.includes(address.toLowerCase())) throw new SignerError(`the remote signer at ${spec.url} does not hold ${address}`, `it holds ${held.join(', ')}; pass one of them as --signer-address`);
  } else {
    if (held.length === 0) throw new SignerError(`the remote signer at ${spec.url} lists no account`, 'pass the account to sign with as --signer-address <addr>');
    address = getAddress(held[0]);
  }
  const url = spec.url;
  return toAccount({
    address,
    nonceManager,
    async signTransaction(tx) {
      const result = (await call(url, 'eth_signTransaction', [toRpc(tx, address)], timeoutMs)) as Hex | { raw?: Hex } | null;
      const raw = typeof result === 'string' ? result : result?.raw;
      if (typeof raw !== 'string' || !/^0x[0-9a-fA-F]+$/.test(raw)) throw new SignerError(`the remote signer at ${url} returned no signed transaction`);
      const signed = parseTransaction(raw as TransactionSerializedGeneric);
      const by = await recoverTransactionAddress({ serializedTransaction: raw as never });
      const same = (a?: string | null, b?: string | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
      if (!same(by, address) || signed.nonce !== tx.nonce || !same(signed.to, tx.to) || !same(signed.data ?? '0x', tx.data ?? '0x')) {
        throw new SignerError(`the remote signer at ${url} returned a transaction other than the one asked for (signed by ${by}, nonce ${signed.nonce})`, 'check the signer: it must sign exactly the transaction it is given');
      }
      return raw as TransactionSerializedGeneric;
    },
    async signMessage() {
      throw new SignerError('signing messages through the remote signer is not supported');
    },
    async signTypedData() {
      throw new SignerError('signing typed data through the remote signer is not supported');
    },
  });
}
