/**
 * Reading logs as real providers allow, and surviving reorgs.
 *
 * - `readPaged` splits [from, to] into ranges of at most `pager.range` blocks (providers cap eth_getLogs at a
 *   few thousand blocks or results); a range the node refuses as too large is halved, and the smaller size is
 *   kept for later reads.
 * - `EventIndex` keeps the logs from a start block up to a cursor: the last block fully read and its hash.
 *   Each `sync` first checks that the cursor block still has that hash. If not, the chain was reorganized: the
 *   index falls back to the newest earlier cursor whose block is unchanged (a block hash commits to all its
 *   ancestors, so every log at or below it is still canonical; with none left, it starts over), drops every
 *   log above it and reads forward again. A read counts only when the hash of its last block is the same
 *   before and after it. Logs are keyed by (transaction hash, log index), so no log is held twice.
 */
import type { Hex } from 'viem';
import { ChainError } from '../game/errors.ts';

/** How many blocks one eth_getLogs may span; shrinks when the node refuses a range. */
export interface Pager {
  range: number;
}

/** Error texts of nodes and providers refusing a log query for its block range or result count. */
const TOO_LARGE = /block range|range (is )?too (large|wide|big)|too (many|large) (results|blocks|logs)|more than \d+ (results|blocks|logs)|response size|size exceeded|exceed(s|ed)? (the )?(max|limit)|limit exceeded|query timeout|max(imum)? (block )?range|limited to (a )?[\d,]+ (block )?range/i;

/** Whether `err` (or any error it wraps) says the log query spanned too much. */
export function rangeTooLarge(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { message?: string; details?: string; shortMessage?: string };
    if (TOO_LARGE.test(`${x.message ?? ''} ${x.details ?? ''} ${x.shortMessage ?? ''}`)) return true;
  }
  return false;
}

/** Read [from, to] through `read` in ranges of at most `pager.range` blocks, oldest first. */
export async function readPaged<T>(read: (from: bigint, to: bigint) => Promise<T[]>, from: bigint, to: bigint, pager: Pager): Promise<T[]> {
  const out: T[] = [];
  let start = from;
  while (start <= to) {
    const span = BigInt(Math.max(1, pager.range));
    const end = to < start + span - 1n ? to : start + span - 1n;
    try {
      out.push(...(await read(start, end)));
      start = end + 1n;
    } catch (err) {
      if (end === start || !rangeTooLarge(err)) throw err;
      pager.range = Math.max(1, Math.floor(Number(end - start + 1n) / 2));
    }
  }
  return out;
}

export interface IndexedLog {
  blockNumber: bigint;
  transactionHash: Hex;
  logIndex: number;
  eventName: string;
  args: Record<string, unknown>;
}

export interface IndexSource {
  /** the first block that can hold a log (the contract's deploy block) */
  start: bigint;
  /** the newest block to read up to (head − confirmations + 1) */
  safeHead(): Promise<bigint>;
  /** the hash of block `n`, or undefined when the chain has no such block (any more) */
  blockHash(n: bigint): Promise<Hex | undefined>;
  /** the logs of [from, to] (paged by the caller's reader) */
  read(from: bigint, to: bigint): Promise<IndexedLog[]>;
}

interface Checkpoint {
  number: bigint;
  hash: Hex;
}

/** How many earlier cursors are kept to fall back to after a reorg (deeper reorgs read from the start). */
const CHECKPOINTS = 64;

export class EventIndex {
  private readonly logs = new Map<string, IndexedLog>();
  /** cursors, oldest first; the last one is the current cursor */
  private checkpoints: Checkpoint[] = [];
  private syncing: Promise<void> | undefined;
  /** Reorgs seen so far (for logs and tests). */
  reorgs = 0;

  constructor(private readonly src: IndexSource) {}

  /** The last block fully read and its hash, if any. */
  get cursor(): Checkpoint | undefined {
    return this.checkpoints.at(-1);
  }

  /** Every indexed log, oldest first. */
  all(): IndexedLog[] {
    return [...this.logs.values()].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  }

  /** Bring the index up to the safe head (concurrent callers share one sync). */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cur = this.cursor;
      if (cur && (await this.src.blockHash(cur.number)) !== cur.hash) await this.rewind();
      const head = await this.src.safeHead();
      const from = this.cursor ? this.cursor.number + 1n : this.src.start;
      if (from > head) return;
      const before = await this.src.blockHash(head);
      const logs = await this.src.read(from, head);
      const after = await this.src.blockHash(head);
      if (before === undefined || before !== after) continue; // reorganized while reading: read again
      for (const l of logs) if (l.blockNumber >= from && l.blockNumber <= head) this.logs.set(`${l.transactionHash}:${l.logIndex}`, l);
      this.checkpoints.push({ number: head, hash: after });
      if (this.checkpoints.length > CHECKPOINTS) this.checkpoints.shift();
      return;
    }
    throw new ChainError('reading events: the chain kept reorganizing while it was read', 'this is retried; if it goes on, raise --confirmations');
  }

  /** Fall back to the newest cursor still on the chain and forget every log above it. */
  private async rewind(): Promise<void> {
    this.reorgs++;
    while (this.checkpoints.length > 0) {
      const c = this.checkpoints.at(-1)!;
      if ((await this.src.blockHash(c.number)) === c.hash) break;
      this.checkpoints.pop();
    }
    const keep = this.cursor?.number ?? this.src.start - 1n;
    for (const [k, l] of this.logs) if (l.blockNumber > keep) this.logs.delete(k);
  }
}
