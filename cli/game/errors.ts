/** Chain failures as one-line CLI errors: unreachable RPC, reverted transactions (decoded), unfunded keys. */
import { BaseError, ContractFunctionRevertedError, InsufficientFundsError, HttpRequestError } from 'viem';
import { ExitCode, OpmlError } from '../errors.ts';

export class ChainError extends OpmlError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.CHAIN, hint);
    this.name = 'ChainError';
  }
}

/** Turn whatever viem threw into a ChainError that says what happened and what to do. */
export function chainError(action: string, err: unknown, rpcUrl: string): ChainError {
  if (err instanceof ChainError) return err;
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) {
      const args = (revert.data.args ?? []).map((a) => String(a)).join(', ');
      return new ChainError(`${action}: the contract rejected it: ${revert.data.errorName}(${args})`);
    }
    if (err.walk((e) => e instanceof InsufficientFundsError)) {
      return new ChainError(`${action}: the account cannot pay for it`, 'fund the account of the key in use (--keystore, OPML_*_KEY or OPML_PRIVATE_KEY), or use the embedded devnet');
    }
    if (err.walk((e) => e instanceof HttpRequestError)) {
      return new ChainError(`${action}: cannot reach the RPC at ${rpcUrl}`, 'start `opml devnet` or pass a reachable --rpc-url');
    }
    return new ChainError(`${action}: ${err.shortMessage}`);
  }
  return new ChainError(`${action}: ${err instanceof Error ? err.message : String(err)}`);
}
