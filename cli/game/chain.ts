/**
 * The dispute-game contract from TypeScript: deploy, register, upload inputs, submit, challenge, every move,
 * reads, events. Every write is estimated first (so a revert comes back as the contract's named error). Moves
 * are sent without waiting (`send`), nonces from a local nonce manager, so an agent puts one move per dispute
 * into the same block and waits for them together (`flush`); `write` sends and waits for one. The gas of every
 * transaction is logged per action for reports. Reads and sends retry transient RPC failures with backoff.
 *
 * Transaction settings (TxSettings): EIP-1559 fees (a --max-fee above the base fee refuses to send rather than
 * wait forever), a confirmation depth (a write is done once `confirmations` blocks are on it; every read of
 * the contract and its logs is made at head − confirmations + 1, so nothing acts on a block that can still be
 * reorganized away within that depth), and log reads paged in bounded block ranges. The events that say which
 * submissions and disputes exist are kept in a reorg-checked index (cli/chain/logs.ts) read forward from a
 * cursor, not from the deploy block every time. The key is a private key or a remote signer.
 */
import {
  BaseError,
  BlockNotFoundError,
  bytesToHex,
  concat,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  formatGwei,
  hexToBytes,
  http,
  HttpRequestError,
  keccak256,
  type Abi,
  type AbiEvent,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getTransactionError } from 'viem/utils';
import { createNonceManager, jsonRpc, type NonceManager } from 'viem/nonce';
import { loadArtifact } from '../chain/artifacts.ts';
import { EventIndex, readPaged, type IndexedLog, type Pager } from '../chain/logs.ts';
import { remoteSignerAccount } from '../chain/remoteSigner.ts';
import { DEFAULT_LOG_RANGE, type RemoteSignerSpec, type TxSettings } from '../chain/tx.ts';
import { ensureContractsBuilt } from '../chain/foundry.ts';
import { toAbiState } from '../chain/judgeAbi.ts';
import { toAbiNodeSpec, type ModelCommitment } from '../../models/int/commitment.ts';
import { toAbiTileSpec } from '../../models/int/tiles/spec.ts';
import { packWords, unpackWords } from '../../models/int/roots.ts';
import type { StepWitness } from '../../vm/prover.ts';
import type { TileTransition, TileVMTransition, Transition } from './claims.ts';
import { chainError, ChainError } from './errors.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { SubmissionStatus, type Deployment, type DisputeView, type SubmissionView } from './types.ts';

export interface GasEntry {
  action: string;
  gas: bigint;
  /** Bytes of calldata the transaction carried. */
  calldata: number;
}

function chainFor(id: number, rpcUrl: string): Chain {
  return defineChain({ id, name: id === 31337 ? 'anvil' : `chain ${id}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
}

/** Node specs per registration transaction: a model with more registers in chunks of this many (2^REGISTER_CHUNK_LOG). */
export const REGISTER_CHUNK_LOG = 9;
export const REGISTER_CHUNK_NODES = 2 ** REGISTER_CHUNK_LOG;

/** A contract a transaction goes to: the game, or another of the deployment's (RegistrationDrafts). */
interface Target {
  address: Hex;
  abi: Abi;
}

/** Words per input chunk (InputUploads.CHUNK_WORDS): one transaction each. */
export const CHUNK_WORDS = 8192;

async function publicClientFor(rpcUrl: string) {
  // Transient failures (a dropped connection, a 429 or 5xx) are retried with exponential backoff.
  const transport = http(rpcUrl, { retryCount: 3, retryDelay: 250 });
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (err) {
    throw chainError('connecting', err, rpcUrl);
  }
  const chain = chainFor(chainId, rpcUrl);
  return { chainId, chain, transport, publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient };
}

/** Who signs: a private key, or a remote signer that holds the key. */
export type KeySource = Hex | RemoteSignerSpec;

async function clientsFor(rpcUrl: string, key: KeySource) {
  const { chainId, chain, transport, publicClient } = await publicClientFor(rpcUrl);
  // A nonce manager of this client's own: viem's shared one would carry nonces over from another chain with the
  // same id (a previous anvil), and a nonce gap leaves every transaction pending forever.
  const nonces = createNonceManager({ source: jsonRpc() });
  const account = typeof key === 'string' ? privateKeyToAccount(key, { nonceManager: nonces }) : await remoteSignerAccount(key, nonces);
  return {
    chainId,
    account,
    publicClient,
    walletClient: createWalletClient({ chain, transport, account }) as WalletClient,
    nonces,
  };
}

/** The fee fields for a transaction under `tx` (none set: viem's own estimate); refuses while the base fee is above --max-fee. */
async function feeFields(publicClient: PublicClient, tx: TxSettings, action: string): Promise<{ maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }> {
  const { maxFeePerGas: cap, maxPriorityFeePerGas: tip } = tx;
  if (cap === undefined) return tip === undefined ? {} : { maxPriorityFeePerGas: tip };
  const base = (await publicClient.getBlock()).baseFeePerGas ?? 0n;
  if (base > cap) {
    throw new ChainError(`${action}: not sent: the base fee is ${formatGwei(base)} gwei, above the max fee of ${formatGwei(cap)} gwei`, 'it is tried again when fees fall (a daemon retries each round); or raise --max-fee (OPML_MAX_FEE)');
  }
  if (tip !== undefined) return { maxFeePerGas: cap, maxPriorityFeePerGas: tip };
  const suggested = await publicClient.estimateMaxPriorityFeePerGas();
  return { maxFeePerGas: cap, maxPriorityFeePerGas: suggested < cap - base ? suggested : cap - base };
}

/**
 * Sign a transaction once and broadcast it, again on a transient failure (viem itself never resends
 * eth_sendRawTransaction): the same signed bytes are the same transaction, so a resend after a lost answer
 * at worst meets a node that already has it, which counts as sent. Returns the transaction hash.
 */
async function signAndSend(wallet: WalletClient, publicClient: PublicClient, account: Account, request: { to?: Address; data: Hex; value?: bigint; gas?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }): Promise<Hex> {
  // The node's refusals by kind (insufficient funds, nonce too low, ...), as viem's own send reports them.
  const asTxError = (err: unknown) => (err instanceof BaseError ? getTransactionError(err, { account, chain: wallet.chain, ...request } as never) : err);
  const prepared = await wallet.prepareTransactionRequest({ ...request, account, chain: wallet.chain } as never).catch((err) => {
    throw asTxError(err);
  });
  const raw = await (account as LocalAccount).signTransaction(prepared as never, { serializer: wallet.chain?.serializers?.transaction } as never);
  const hash = keccak256(raw);
  for (let attempt = 0; ; attempt++) {
    try {
      return await wallet.sendRawTransaction({ serializedTransaction: raw });
    } catch (err) {
      const text = err instanceof BaseError ? `${err.shortMessage} ${err.details}` : String(err);
      if (/already known|known transaction|already imported|nonce too low/i.test(text)) {
        if (await publicClient.getTransaction({ hash }).then(() => true, () => false)) return hash;
      }
      const transient = err instanceof BaseError && err.walk((e) => e instanceof HttpRequestError) !== null;
      if (!transient || attempt >= 3) throw asTxError(err);
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

/** A SignerError that viem wrapped on the way out (the remote signer's own words are the useful ones). */
function signerCause(err: unknown): ChainError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof ChainError) return e;
  return undefined;
}

/** A decoded log as the event index keeps it. */
function toIndexed(l: { blockNumber: bigint | null; transactionHash: Hex | null; logIndex: number | null; eventName?: string; args?: unknown }): IndexedLog {
  return { blockNumber: l.blockNumber ?? 0n, transactionHash: l.transactionHash ?? '0x', logIndex: l.logIndex ?? 0, eventName: l.eventName ?? '', args: (l.args ?? {}) as Record<string, unknown> };
}

/** Whether a decoded event argument equals a filter value (addresses and hashes case-insensitively). */
function argEquals(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Thrown by a write (or `address`) on a GameChain connected without a key. */
export class NoKeyError extends OpmlError {
  constructor(action: string) {
    super(`${action} needs a key, and none was given (read-only connection)`, ExitCode.USAGE, 'pass --keystore <file> (with --password-file or OPML_PASSWORD), or set OPML_PRIVATE_KEY (per role: OPML_SUBMITTER_KEY / OPML_CHALLENGER_KEY)');
    this.name = 'NoKeyError';
  }
}

/** A transition as the contract's TransitionProof struct. */
export function toAbiTransition(t: Transition) {
  return {
    spec: toAbiNodeSpec(t.spec),
    nodeSiblings: t.nodeSiblings,
    slotRoots: t.slotRoots,
    slotSiblings: t.slotSiblings,
    finalState: toAbiState(t.final),
    outRoot: t.outRoot,
    outSiblings: t.outSiblings,
    outSlotSiblings: t.outSlotSiblings,
  };
}

/** A tiled node's tile-phase opening as the contract's TileEntryProof struct (startTiles). */
export function toAbiTileEntry(t: TileTransition) {
  return {
    spec: toAbiNodeSpec(t.spec),
    nodeSiblings: t.nodeSiblings,
    slotRoots: t.slotRoots,
    slotSiblings: t.slotSiblings,
    finalMem: t.finalMem,
    outRoot: t.outRoot,
    outSiblings: t.outSiblings,
    outSlotSiblings: t.outSlotSiblings,
  };
}

/**
 * A tile's VM-phase opening as the contract's TileVMProof struct (startTileVM): the tile and its proof, the
 * window's current root in σ_i with its siblings (`window` there, `windowRoot` in TileEntry), the final state.
 */
export function toAbiTileVM(t: TileVMTransition) {
  return {
    tile: toAbiTileSpec(t.entry.spec),
    tileSiblings: t.entry.tileSiblings,
    window: t.entry.windowRoot,
    windowSiblings: t.entry.windowSiblings,
    finalState: toAbiState(t.final),
  };
}

export interface GameParams {
  minBond: bigint;
  challengeBond: bigint;
  challengeWindow: number;
  clockSeconds: number;
  moveIncrement: number;
  /** k: the parts each post cuts a disputed interval into (2 = bisection; docs/GAME.md, "Dissection"). */
  arity: number;
}

/** A transaction sent and not yet confirmed. */
interface InFlight {
  action: string;
  receipt: Promise<TransactionReceipt>;
}

export class GameChain {
  readonly gas: GasEntry[] = [];
  /** Wei this client paid in transaction fees (reverted transactions included). */
  fees = 0n;
  /** The game's ABI plus the errors of the contracts it calls (verifier, validator, judge: so their reverts decode by name too). */
  readonly abi: Abi;
  /** RegistrationDrafts, once a registration needed it. */
  private drafts?: Target;
  private inFlight: InFlight[] = [];
  /** The block range of one eth_getLogs (shrinks when the node refuses a range). */
  readonly pager: Pager;
  /** Submitted and Challenged events (which submissions and disputes exist), read forward from a reorg-checked cursor. */
  readonly index: EventIndex;

  private constructor(
    readonly publicClient: PublicClient,
    private readonly wallet: WalletClient | undefined,
    private readonly signer: Account | undefined,
    readonly deployment: Deployment,
    private readonly nonces: NonceManager | undefined,
    readonly tx: TxSettings = {},
  ) {
    const errorsOf = (name: string) => loadArtifact(name).abi.filter((e) => e.type === 'error');
    this.abi = [...loadArtifact('DisputeGame').abi, ...errorsOf('TransitionVerifier'), ...errorsOf('ModelValidator'), ...errorsOf('VMJudge')];
    this.pager = { range: tx.logRange ?? DEFAULT_LOG_RANGE };
    const discovery = this.abi.filter((e): e is AbiEvent => e.type === 'event' && (e.name === 'Submitted' || e.name === 'Challenged'));
    this.index = new EventIndex({
      start: BigInt(deployment.deployBlock),
      safeHead: () => this.safeHead(),
      blockHash: async (n) => {
        try {
          return (await publicClient.getBlock({ blockNumber: n })).hash ?? undefined;
        } catch (err) {
          if (err instanceof BaseError && err.walk((e) => e instanceof BlockNotFoundError)) return undefined;
          throw chainError(`reading block ${n}`, err, deployment.rpcUrl);
        }
      },
      read: (from, to) =>
        this.paged('Submitted and Challenged events', from, to, async (a, b) =>
          (await publicClient.getLogs({ address: deployment.game, events: discovery, fromBlock: a, toBlock: b })).map((l) => toIndexed(l)),
        ),
    });
  }

  /** Blocks a write must be under before it counts as done (--confirmations, default 1). */
  get confirmations(): number {
    return Math.max(1, this.tx.confirmations ?? 1);
  }

  /** The newest block whose state counts: head − confirmations + 1. */
  async safeHead(): Promise<bigint> {
    let head: bigint;
    try {
      head = await this.publicClient.getBlockNumber({ cacheTime: 0 });
    } catch (err) {
      throw chainError('reading the block number', err, this.deployment.rpcUrl);
    }
    const safe = head - BigInt(this.confirmations - 1);
    return safe < 0n ? 0n : safe;
  }

  /** Read [from, to] through `read` in bounded ranges (see cli/chain/logs.ts); failures as ChainErrors. */
  private async paged<T>(what: string, from: bigint, to: bigint, read: (a: bigint, b: bigint) => Promise<T[]>): Promise<T[]> {
    try {
      return await readPaged(read, from, to, this.pager);
    } catch (err) {
      throw chainError(`reading ${what}`, err, this.deployment.rpcUrl);
    }
  }

  /** False when connected without a key: reads work, every write throws a NoKeyError. */
  get canWrite(): boolean {
    return this.signer !== undefined;
  }

  get account(): Account {
    if (!this.signer) throw new NoKeyError('this command\'s account');
    return this.signer;
  }

  get walletClient(): WalletClient {
    if (!this.wallet) throw new NoKeyError('sending a transaction');
    return this.wallet;
  }

  get address(): Address {
    return this.account.address;
  }

  /** Connect to a deployed game; without a key (or remote signer) the connection is read-only. */
  static async connect(deployment: Deployment, key?: KeySource, tx: TxSettings = {}): Promise<GameChain> {
    ensureContractsBuilt();
    const c = key ? await clientsFor(deployment.rpcUrl, key) : { ...(await publicClientFor(deployment.rpcUrl)), walletClient: undefined, account: undefined, nonces: undefined };
    if (c.chainId !== deployment.chainId) {
      throw new ChainError(`the RPC at ${deployment.rpcUrl} is chain ${c.chainId}, but the deployment is on chain ${deployment.chainId}`, 'deploy again with `opml deploy`');
    }
    const code = await c.publicClient.getCode({ address: deployment.game }).catch((e) => {
      throw chainError('reading the game contract', e, deployment.rpcUrl);
    });
    if (!code || code === '0x') throw new ChainError(`no game contract at ${deployment.game} on ${deployment.rpcUrl}`, 'deploy it with `opml deploy` (or start `opml devnet`)');
    return new GameChain(c.publicClient, c.walletClient, c.account, deployment, c.nonces, tx);
  }

  /**
   * The deployment record of an existing game at `game` on `rpcUrl`, read from the contract itself: the judge,
   * the parameters, and the block it was deployed in (binary search on getCode; 0 where the node cannot
   * answer for old blocks).
   */
  static async deploymentAt(rpcUrl: string, game: Address): Promise<Deployment> {
    ensureContractsBuilt();
    const { chainId, publicClient } = await publicClientFor(rpcUrl);
    const code = await publicClient.getCode({ address: game }).catch((e) => {
      throw chainError('reading the game contract', e, rpcUrl);
    });
    if (!code || code === '0x') throw new ChainError(`no game contract at ${game} on ${rpcUrl} (chain ${chainId})`, 'check --game-address and --rpc-url');
    const { abi } = loadArtifact('DisputeGame');
    const read = async <T>(functionName: string): Promise<T> => {
      try {
        return (await publicClient.readContract({ address: game, abi, functionName })) as T;
      } catch (err) {
        throw chainError(`reading ${functionName}() of ${game} (is it a DisputeGame?)`, err, rpcUrl);
      }
    };
    const [judge, minBond, challengeBond, challengeWindow, clockSeconds, moveIncrement, arity] = await Promise.all([
      read<Address>('judge'),
      read<bigint>('minBond'),
      read<bigint>('challengeBond'),
      read<bigint>('challengeWindow'),
      read<bigint>('clockSeconds'),
      read<bigint>('moveIncrement'),
      read<bigint>('arity'),
    ]);
    let deployBlock = 0n;
    try {
      let lo = 0n;
      let hi = await publicClient.getBlockNumber();
      // invariant: code at `hi`; find the first block with code.
      while (lo < hi) {
        const mid = (lo + hi) / 2n;
        const c = await publicClient.getCode({ address: game, blockNumber: mid });
        if (c && c !== '0x') hi = mid;
        else lo = mid + 1n;
      }
      deployBlock = hi;
    } catch {
      deployBlock = 0n; // no archive state: scan events from genesis
    }
    return {
      rpcUrl,
      chainId,
      // lower case, as `deploy` records them (state files are bound to the game address as written)
      judge: judge.toLowerCase() as Address,
      game: game.toLowerCase() as Address,
      minBond: minBond.toString(),
      challengeBond: challengeBond.toString(),
      challengeWindow: Number(challengeWindow),
      clockSeconds: Number(clockSeconds),
      moveIncrement: Number(moveIncrement),
      arity: Number(arity),
      deployBlock: deployBlock.toString(),
    };
  }

  /** Deploy the judge and the game; `onBuild` is told if the contracts must be compiled first. */
  static async deploy(rpcUrl: string, key: KeySource, params: GameParams, onBuild?: (what: string) => void, tx: TxSettings = {}): Promise<Deployment> {
    ensureContractsBuilt('DisputeGame', onBuild);
    const c = await clientsFor(rpcUrl, key);
    const deployOne = async (name: string, args: unknown[]): Promise<{ address: Address; block: bigint }> => {
      const { abi, bytecode } = loadArtifact(name);
      try {
        const fees = await feeFields(c.publicClient, tx, `deploying ${name}`);
        const hash = await signAndSend(c.walletClient, c.publicClient, c.account, { data: encodeDeployData({ abi, bytecode, args }), ...fees });
        const receipt = await c.publicClient.waitForTransactionReceipt({ hash, confirmations: Math.max(1, tx.confirmations ?? 1) });
        if (receipt.status !== 'success') throw new ChainError(`deploying ${name}: the transaction reverted in block ${receipt.blockNumber}`);
        if (!receipt.contractAddress) throw new ChainError(`deploying ${name} produced no contract`);
        return { address: receipt.contractAddress, block: receipt.blockNumber };
      } catch (err) {
        throw chainError(`deploying ${name}`, signerCause(err) ?? err, rpcUrl);
      }
    };
    const judge = await deployOne('VMJudge', []);
    const game = await deployOne('DisputeGame', [judge.address, params.minBond, params.challengeBond, BigInt(params.challengeWindow), BigInt(params.clockSeconds), BigInt(params.moveIncrement), BigInt(params.arity)]);
    return {
      rpcUrl,
      chainId: c.chainId,
      judge: judge.address,
      game: game.address,
      minBond: params.minBond.toString(),
      challengeBond: params.challengeBond.toString(),
      challengeWindow: params.challengeWindow,
      clockSeconds: params.clockSeconds,
      moveIncrement: params.moveIncrement,
      arity: params.arity,
      deployBlock: judge.block.toString(),
    };
  }

  /** A view function of the game, read at the safe head (the latest block with --confirmations 1). */
  async read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    return this.readAt<T>({ address: this.deployment.game, abi: this.abi }, functionName, args);
  }

  /**
   * Estimate (which executes it, so a revert comes back decoded), then send without waiting for a block; the
   * receipt is awaited by `flush` (or `write`). Returns the transaction hash.
   */
  async send(action: string, functionName: string, args: readonly unknown[], value?: bigint, to: Target = { address: this.deployment.game, abi: this.abi }): Promise<Hex> {
    if (!this.signer) throw new NoKeyError(action);
    const call = { address: to.address, abi: to.abi, functionName, args, value, account: this.account, chain: this.walletClient.chain } as const;
    let hash: Hex;
    const calldata = (encodeFunctionData({ abi: to.abi, functionName, args } as never).length - 2) / 2;
    try {
      // Headroom over the estimate: the clocks make storage costs depend on the block's timestamp, which the
      // estimate can only guess.
      const gas = ((await this.publicClient.estimateContractGas(call)) * 5n) / 4n + 20_000n;
      const fees = await feeFields(this.publicClient, this.tx, action);
      hash = await signAndSend(this.walletClient, this.publicClient, this.account, { to: to.address, data: encodeFunctionData({ abi: to.abi, functionName, args } as never), value, gas, ...fees });
    } catch (err) {
      // A send that failed after taking a nonce must not leave a gap: ask the chain again next time.
      this.nonces?.reset({ address: this.account.address, chainId: this.walletClient.chain!.id });
      throw chainError(action, signerCause(err) ?? err, this.deployment.rpcUrl);
    }
    // Done once `confirmations` blocks are on it (viem follows a replacement transaction too).
    const receipt = this.publicClient.waitForTransactionReceipt({ hash, retryCount: 1000, confirmations: this.confirmations }).then((r) => {
      this.fees += r.gasUsed * r.effectiveGasPrice;
      if (r.status !== 'success') throw new ChainError(`${action}: the transaction reverted in block ${r.blockNumber}`);
      this.gas.push({ action, gas: r.gasUsed, calldata });
      return r;
    });
    receipt.catch(() => {}); // reported by flush or write
    this.inFlight.push({ action, receipt });
    return hash;
  }

  /** Wait for every transaction sent so far; returns the failures (reverted or lost), each as a ChainError. */
  async flush(): Promise<ChainError[]> {
    const pending = this.inFlight;
    this.inFlight = [];
    const results = await Promise.allSettled(pending.map((p) => p.receipt));
    return results.flatMap((r, i) => (r.status === 'rejected' ? [chainError(pending[i].action, r.reason, this.deployment.rpcUrl)] : []));
  }

  /** Send and wait for this one transaction (and any sent before it); throws if it failed. */
  private async write(action: string, functionName: string, args: readonly unknown[], value?: bigint, to?: Target): Promise<TransactionReceipt> {
    await this.send(action, functionName, args, value, to);
    const mine = this.inFlight.at(-1)!;
    const failures = await this.flush();
    if (failures.length > 0) throw failures[0];
    return mine.receipt;
  }

  private eventArgs(receipt: TransactionReceipt, eventName: string): Record<string, unknown> {
    for (const log of receipt.logs) {
      try {
        const ev = decodeEventLog({ abi: this.abi, data: log.data, topics: log.topics });
        if (ev.eventName === eventName) return ev.args as unknown as Record<string, unknown>;
      } catch {
        // another contract's event
      }
    }
    throw new ChainError(`the transaction emitted no ${eventName} event`);
  }

  // ---- models and submissions ------------------------------------------------------------------------

  async isRegistered(modelId: Hex): Promise<boolean> {
    return this.read<boolean>('isRegistered', [modelId]);
  }

  /**
   * Register `c` unless it is registered: in one transaction up to REGISTER_CHUNK_NODES nodes, else in chunks of
   * that many through the game's RegistrationDrafts (begin, append each chunk, finishRegistration; the same id).
   * A registration cut off midway resumes where the chain says it stopped (the draft keeps what was appended).
   */
  async register(c: ModelCommitment, onChunk?: (done: number, total: number) => void): Promise<void> {
    if (await this.isRegistered(c.modelId)) return;
    const specs = c.nodes.map(toAbiNodeSpec);
    if (specs.length <= REGISTER_CHUNK_NODES) {
      await this.write('register', 'register', [specs, c.inputWords, c.outputSlot, c.outputWords]);
      return;
    }
    const drafts = await this.draftsContract();
    const header = [specs.length, c.inputWords, c.outputSlot, c.outputWords, REGISTER_CHUNK_LOG, c.nodesRoot] as const;
    const id = await this.readAt<Hex>(drafts, 'draftId', [this.account.address, ...header]);
    await this.write('register', 'begin', [...header], undefined, drafts);
    const progress = async () => (await this.readAt<[Hex, number, number]>(drafts, 'progress', [id]))[2];
    for (let added = await progress(); added < specs.length; ) {
      try {
        await this.write('register', 'append', [id, added, specs.slice(added, added + REGISTER_CHUNK_NODES)], undefined, drafts);
        added = Math.min(added + REGISTER_CHUNK_NODES, specs.length);
        onChunk?.(added, specs.length);
      } catch (err) {
        // An earlier client's send of this chunk landed meanwhile: the draft says where to go on.
        if (!(err instanceof ChainError) || !/DraftPositionMismatch/.test(err.message)) throw err;
        added = await progress();
      }
    }
    await this.write('register', 'finishRegistration', [id]);
  }

  /** The game's RegistrationDrafts (its address from the game), with the validator's errors for decoding reverts. */
  private async draftsContract(): Promise<Target> {
    if (!this.drafts) {
      const address = await this.read<Hex>('registrationDrafts');
      const errors = loadArtifact('ModelValidator').abi.filter((e) => e.type === 'error');
      this.drafts = { address, abi: [...loadArtifact('RegistrationDrafts').abi, ...errors, ...this.abi.filter((e) => e.type === 'error')] };
    }
    return this.drafts;
  }

  /** A view function of the game or another contract of its deployment, read at the safe head. */
  private async readAt<T>(to: Target, functionName: string, args: readonly unknown[] = []): Promise<T> {
    const at = this.confirmations > 1 ? { blockNumber: await this.safeHead() } : {};
    try {
      return (await this.publicClient.readContract({ address: to.address, abi: to.abi, functionName, args, ...at })) as T;
    } catch (err) {
      throw chainError(`reading ${functionName}`, err, this.deployment.rpcUrl);
    }
  }

  /** Publish one graph input's words on-chain, CHUNK_WORDS words per transaction; returns the upload id. */
  async uploadInput(words: Int32Array, onChunk?: (done: number, total: number) => void): Promise<bigint> {
    const chunks = Math.max(1, Math.ceil(words.length / CHUNK_WORDS));
    const chunk = (k: number) => bytesToHex(packWords(words.subarray(k * CHUNK_WORDS, (k + 1) * CHUNK_WORDS)));
    const first = await this.write('upload input', 'beginInput', [chunk(0)]);
    const upload = this.eventArgs(first, 'InputChunk').upload as bigint;
    onChunk?.(1, chunks);
    for (let k = 1; k < chunks; k++) {
      await this.write('upload input', 'appendInput', [upload, chunk(k)]);
      onChunk?.(k + 1, chunks);
    }
    return upload;
  }

  async submit(modelId: Hex, uploads: bigint[], output: Int32Array, finalState: Hex, outputSiblings: Hex[], bond: bigint): Promise<bigint> {
    const receipt = await this.write('submit', 'submit', [modelId, uploads, bytesToHex(packWords(output)), finalState, outputSiblings], bond);
    return this.eventArgs(receipt, 'Submitted').id as bigint;
  }

  async challenge(id: bigint): Promise<bigint> {
    const receipt = await this.write('challenge', 'challenge', [id], BigInt(this.deployment.challengeBond));
    return this.eventArgs(receipt, 'Challenged').d as bigint;
  }

  submission(id: bigint): Promise<SubmissionView> {
    return this.read<SubmissionView>('submission', [id]);
  }

  dispute(d: bigint): Promise<DisputeView> {
    return this.read<DisputeView>('dispute', [d]);
  }

  async submissionCount(): Promise<bigint> {
    return this.read<bigint>('submissionCount');
  }

  async disputeCount(): Promise<bigint> {
    return this.read<bigint>('disputeCount');
  }

  async credits(who: Address = this.address): Promise<bigint> {
    return this.read<bigint>('credits', [who]);
  }

  /** The registered model `modelId` (its shapes). */
  model(modelId: Hex): Promise<{ nodesRoot: Hex; numNodes: number; outputSlot: number; outputWords: number; inputWords: readonly number[] }> {
    return this.read('model', [modelId]);
  }

  /**
   * The inputs submission `id` was made on, read from the chain alone: its Submitted event names the uploads,
   * their InputChunk events hold the words, and the model says how many words each input has.
   */
  async submittedInputs(id: bigint): Promise<Int32Array[]> {
    const logs = await this.indexed('Submitted', { id });
    if (logs.length === 0) throw new ChainError(`submission ${id} has no Submitted event on this game contract`, 'check the id with `opml status`');
    const { modelId, uploads } = logs[0].args as { modelId: Hex; uploads: readonly bigint[] };
    const { inputWords } = await this.model(modelId);
    // Every chunk of an upload was published before the submission that names it.
    const upTo = logs[0].blockNumber;
    return Promise.all(
      uploads.map(async (upload, i) => {
        const chunks = ((await this.events('InputChunk', { upload }, upTo)) as { index: bigint; words: Hex }[]).sort((a, b) => Number(a.index - b.index));
        const bytes = chunks.flatMap((c) => Array.from(hexToBytes(c.words)));
        const words = unpackWords(Uint8Array.from(bytes.slice(0, inputWords[i] * 4)));
        if (words.length !== inputWords[i]) throw new ChainError(`submission ${id}: input ${i} has ${words.length} published words, the model ${inputWords[i]}`);
        return words;
      }),
    );
  }

  /**
   * The decoded arguments of this contract's `eventName` events matching `args`, oldest first, from the deploy
   * block to `toBlock` (default: the safe head), read in bounded block ranges.
   */
  async events(eventName: string, args: Record<string, unknown>, toBlock?: bigint): Promise<Record<string, unknown>[]> {
    return (await this.eventLogs(eventName, args, toBlock)).map((l) => l.args);
  }

  /** As `events`, with each event's block and transaction. */
  async eventLogs(eventName: string, args: Record<string, unknown>, toBlock?: bigint): Promise<IndexedLog[]> {
    const to = toBlock ?? (await this.safeHead());
    return this.paged(`${eventName} events`, BigInt(this.deployment.deployBlock), to, async (fromBlock, b) =>
      (await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName, args, fromBlock, toBlock: b })).map((l) => toIndexed(l as never)),
    );
  }

  /** Submitted or Challenged events matching `args`, oldest first, from the event index (synced first). */
  async indexed(eventName: 'Submitted' | 'Challenged', args: Record<string, unknown>): Promise<IndexedLog[]> {
    await this.index.sync();
    return this.index.all().filter((l) => l.eventName === eventName && Object.entries(args).every(([k, v]) => argEquals(l.args[k], v)));
  }

  /** A still-pending submission of `modelId` by this account with final state `finalState`, if one exists. */
  async findPendingSubmission(modelId: Hex, finalState: Hex): Promise<bigint | undefined> {
    for (const { args } of await this.indexed('Submitted', { submitter: this.address, modelId })) {
      const a = args as { id: bigint; finalState: Hex };
      if (a.finalState === finalState && (await this.submission(a.id)).status === SubmissionStatus.Pending) return a.id;
    }
    return undefined;
  }

  /** Dispute ids opened on submission `id`. */
  async disputesOf(id: bigint): Promise<bigint[]> {
    return (await this.indexed('Challenged', { id })).map((l) => l.args.d as bigint);
  }

  /** Ids of the submissions posted by `submitter`. */
  async submissionsBy(submitter: Address): Promise<bigint[]> {
    return (await this.indexed('Submitted', { submitter })).map((l) => l.args.id as bigint);
  }

  // ---- moves -----------------------------------------------------------------------------------------

  /** The submitter's graph states at the inner positions of the cut (dissection.innerPositions). */
  postGraphStates(d: bigint, states: readonly Hex[]) {
    return this.send('post graph states', 'postGraphStates', [d, states]);
  }

  /** The challenger names the part of the cut whose end it disputes, resupplying the posted states. */
  respondGraph(d: bigint, part: number, states: readonly Hex[]) {
    return this.send('respond graph', 'respondGraph', [d, BigInt(part), states]);
  }

  startVM(d: bigint, t: Transition) {
    return this.send('start VM', 'startVM', [d, toAbiTransition(t)]);
  }

  /** The transition into a tiled node's tile phase (the graph dissection converged on it). */
  startTiles(d: bigint, t: TileTransition) {
    return this.send('start tiles', 'startTiles', [d, toAbiTileEntry(t)]);
  }

  postTileStates(d: bigint, states: readonly Hex[]) {
    return this.send('post tile states', 'postTileStates', [d, states]);
  }

  respondTile(d: bigint, part: number, states: readonly Hex[]) {
    return this.send('respond tile', 'respondTile', [d, BigInt(part), states]);
  }

  /** The transition into one tile's VM run (the tile dissection converged on it). */
  startTileVM(d: bigint, t: TileVMTransition) {
    return this.send('start tile VM', 'startTileVM', [d, toAbiTileVM(t)]);
  }

  postVMStates(d: bigint, states: readonly Hex[]) {
    return this.send('post VM states', 'postVMStates', [d, states]);
  }

  respondVM(d: bigint, part: number, states: readonly Hex[]) {
    return this.send('respond VM', 'respondVM', [d, BigInt(part), states]);
  }

  /**
   * The states the submitter last posted in dispute `d`, from its StatesPosted event: the newest one whose hash is
   * `postedHash` (the dispute view's), read backwards from the safe head a page at a time (a post is at most one
   * challenger clock old, so the first pages hold it).
   */
  async postedStates(d: bigint, postedHash: Hex): Promise<Hex[]> {
    const start = BigInt(this.deployment.deployBlock);
    for (let to = await this.safeHead(); to >= start; ) {
      const from = to - BigInt(this.pager.range) + 1n > start ? to - BigInt(this.pager.range) + 1n : start;
      const logs = await this.paged('StatesPosted events', from, to, async (a, b) =>
        (await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName: 'StatesPosted', args: { d }, fromBlock: a, toBlock: b })).map((l) => toIndexed(l as never)),
      );
      for (const l of logs.reverse()) {
        const states = l.args.states as Hex[];
        if (keccak256(concat(states)) === postedHash) return states;
      }
      to = from - 1n;
    }
    throw new ChainError(`dispute ${d}: no StatesPosted event with the posted hash ${postedHash} on this game contract`, 'check --rpc-url (the node may not serve old logs)');
  }

  resolveStep(d: bigint, w: StepWitness) {
    return this.send('resolve step', 'resolveStep', [d, toAbiState(w.pre), w.proof]);
  }

  timeout(d: bigint) {
    return this.send('timeout', 'timeout', [d]);
  }

  settle(d: bigint) {
    return this.send('settle', 'settle', [d]);
  }

  finalize(id: bigint) {
    return this.send('finalize', 'finalize', [id]);
  }

  withdraw() {
    return this.send('withdraw', 'withdraw', []);
  }

  /** Seconds since the epoch of the latest block (the contract's clock). */
  async now(): Promise<bigint> {
    try {
      return (await this.publicClient.getBlock()).timestamp;
    } catch (err) {
      // A ChainError like every other read, so a watcher retries an RPC outage here instead of dying of it.
      throw chainError('reading the latest block', err, this.deployment.rpcUrl);
    }
  }
}
