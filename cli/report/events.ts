/**
 * The game's events with where they happened: block, timestamp, transaction, its sender, its calldata and the
 * gas its receipt says it used. Blocks and transactions are fetched once each.
 */
import { getAddress, type Address, type Hex } from 'viem';
import type { GameChain } from '../game/chain.ts';
import { chainError } from '../game/errors.ts';

export interface GameEvent {
  name: string;
  args: Record<string, unknown>;
  block: bigint;
  logIndex: number;
  timestamp: bigint;
  tx: Hex;
  from: Address;
  input: Hex;
  gasUsed: bigint;
}

interface TxInfo {
  from: Address;
  input: Hex;
  gasUsed: bigint;
}

export class EventReader {
  private readonly blocks = new Map<bigint, Promise<bigint>>();
  private readonly txs = new Map<Hex, Promise<TxInfo>>();

  /** @param toBlock the newest block to read events from (the block the report's contract reads were made at) */
  constructor(
    private readonly chain: GameChain,
    private readonly toBlock?: bigint,
  ) {}

  private get rpcUrl(): string {
    return this.chain.deployment.rpcUrl;
  }

  timestampOf(block: bigint): Promise<bigint> {
    let p = this.blocks.get(block);
    if (!p) {
      p = this.chain.publicClient.getBlock({ blockNumber: block }).then(
        (b) => b.timestamp,
        (err) => {
          throw chainError(`reading block ${block}`, err, this.rpcUrl);
        },
      );
      this.blocks.set(block, p);
    }
    return p;
  }

  txInfo(hash: Hex): Promise<TxInfo> {
    let p = this.txs.get(hash);
    if (!p) {
      const pc = this.chain.publicClient;
      p = Promise.all([pc.getTransaction({ hash }), pc.getTransactionReceipt({ hash })]).then(
        ([t, r]) => ({ from: getAddress(t.from), input: t.input, gasUsed: r.gasUsed }),
        (err) => {
          throw chainError(`reading transaction ${hash}`, err, this.rpcUrl);
        },
      );
      this.txs.set(hash, p);
    }
    return p;
  }

  /**
   * The game's `eventName` events matching the indexed `args`, oldest first, up to `toBlock` (read in bounded
   * block ranges by GameChain.eventLogs), each with its block and transaction.
   */
  async read(eventName: string, args: Record<string, unknown> = {}): Promise<GameEvent[]> {
    const logs = await this.chain.eventLogs(eventName, args, this.toBlock);
    const out = await Promise.all(
      logs.map(async (log) => {
        const [timestamp, info] = await Promise.all([this.timestampOf(log.blockNumber), this.txInfo(log.transactionHash)]);
        return { name: eventName, args: log.args, block: log.blockNumber, logIndex: log.logIndex, timestamp, tx: log.transactionHash, ...info };
      }),
    );
    return out.sort(byPosition);
  }
}

export function byPosition(a: GameEvent, b: GameEvent): number {
  return a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1;
}
