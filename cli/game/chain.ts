/**
 * The dispute-game contract from TypeScript: deploy, register, upload inputs, submit, challenge, every move,
 * reads, events. Every write is estimated first (so a revert comes back as the contract's named error). Moves
 * are sent without waiting (`send`), nonces from a local nonce manager, so an agent puts one move per dispute
 * into the same block and waits for them together (`flush`); `write` sends and waits for one. The gas of every
 * transaction is logged per action for reports. Reads and sends retry transient RPC failures with backoff.
 */
import {
  bytesToHex,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
  encodeFunctionData,
  hexToBytes,
  http,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createNonceManager, jsonRpc, type NonceManager } from 'viem/nonce';
import { loadArtifact } from '../chain/artifacts.ts';
import { ensureContractsBuilt } from '../chain/foundry.ts';
import { toAbiState } from '../chain/judgeAbi.ts';
import { toAbiNodeSpec, type ModelCommitment } from '../../models/int/commitment.ts';
import { packWords, unpackWords } from '../../models/int/roots.ts';
import type { StepWitness } from '../../vm/prover.ts';
import type { Transition } from './claims.ts';
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

async function clientsFor(rpcUrl: string, privateKey: Hex) {
  const { chainId, chain, transport, publicClient } = await publicClientFor(rpcUrl);
  // A nonce manager of this client's own: viem's shared one would carry nonces over from another chain with the
  // same id (a previous anvil), and a nonce gap leaves every transaction pending forever.
  const nonces = createNonceManager({ source: jsonRpc() });
  const account = privateKeyToAccount(privateKey, { nonceManager: nonces });
  return {
    chainId,
    account,
    publicClient,
    walletClient: createWalletClient({ chain, transport, account }) as WalletClient,
    nonces,
  };
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

export interface GameParams {
  minBond: bigint;
  challengeBond: bigint;
  challengeWindow: number;
  clockSeconds: number;
  moveIncrement: number;
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
  /** The game's ABI plus the errors of the contracts it calls (so their reverts decode by name too). */
  readonly abi: Abi;
  private inFlight: InFlight[] = [];

  private constructor(
    readonly publicClient: PublicClient,
    private readonly wallet: WalletClient | undefined,
    private readonly signer: Account | undefined,
    readonly deployment: Deployment,
    private readonly nonces: NonceManager | undefined,
  ) {
    const errorsOf = (name: string) => loadArtifact(name).abi.filter((e) => e.type === 'error');
    this.abi = [...loadArtifact('DisputeGame').abi, ...errorsOf('TransitionVerifier'), ...errorsOf('VMJudge')];
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

  /** Connect to a deployed game; without `privateKey` the connection is read-only. */
  static async connect(deployment: Deployment, privateKey?: Hex): Promise<GameChain> {
    ensureContractsBuilt();
    const c = privateKey ? await clientsFor(deployment.rpcUrl, privateKey) : { ...(await publicClientFor(deployment.rpcUrl)), walletClient: undefined, account: undefined, nonces: undefined };
    if (c.chainId !== deployment.chainId) {
      throw new ChainError(`the RPC at ${deployment.rpcUrl} is chain ${c.chainId}, but the deployment is on chain ${deployment.chainId}`, 'deploy again with `opml deploy`');
    }
    const code = await c.publicClient.getCode({ address: deployment.game }).catch((e) => {
      throw chainError('reading the game contract', e, deployment.rpcUrl);
    });
    if (!code || code === '0x') throw new ChainError(`no game contract at ${deployment.game} on ${deployment.rpcUrl}`, 'deploy it with `opml deploy` (or start `opml devnet`)');
    return new GameChain(c.publicClient, c.walletClient, c.account, deployment, c.nonces);
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
    const [judge, minBond, challengeBond, challengeWindow, clockSeconds, moveIncrement] = await Promise.all([
      read<Address>('judge'),
      read<bigint>('minBond'),
      read<bigint>('challengeBond'),
      read<bigint>('challengeWindow'),
      read<bigint>('clockSeconds'),
      read<bigint>('moveIncrement'),
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
      deployBlock: deployBlock.toString(),
    };
  }

  /** Deploy the judge and the game; `onBuild` is told if the contracts must be compiled first. */
  static async deploy(rpcUrl: string, privateKey: Hex, params: GameParams, onBuild?: () => void): Promise<Deployment> {
    ensureContractsBuilt('DisputeGame', onBuild);
    const c = await clientsFor(rpcUrl, privateKey);
    const deployOne = async (name: string, args: unknown[]): Promise<{ address: Address; block: bigint }> => {
      const { abi, bytecode } = loadArtifact(name);
      try {
        const hash = await c.walletClient.deployContract({ abi, bytecode, args, account: c.account, chain: c.walletClient.chain });
        const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
        if (!receipt.contractAddress) throw new ChainError(`deploying ${name} produced no contract`);
        return { address: receipt.contractAddress, block: receipt.blockNumber };
      } catch (err) {
        throw chainError(`deploying ${name}`, err, rpcUrl);
      }
    };
    const judge = await deployOne('VMJudge', []);
    const game = await deployOne('DisputeGame', [judge.address, params.minBond, params.challengeBond, BigInt(params.challengeWindow), BigInt(params.clockSeconds), BigInt(params.moveIncrement)]);
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
      deployBlock: judge.block.toString(),
    };
  }

  async read<T>(functionName: string, args: readonly unknown[] = []): Promise<T> {
    try {
      return (await this.publicClient.readContract({ address: this.deployment.game, abi: this.abi, functionName, args })) as T;
    } catch (err) {
      throw chainError(`reading ${functionName}`, err, this.deployment.rpcUrl);
    }
  }

  /**
   * Estimate (which executes it, so a revert comes back decoded), then send without waiting for a block; the
   * receipt is awaited by `flush` (or `write`). Returns the transaction hash.
   */
  async send(action: string, functionName: string, args: readonly unknown[], value?: bigint): Promise<Hex> {
    if (!this.signer) throw new NoKeyError(action);
    const call = { address: this.deployment.game, abi: this.abi, functionName, args, value, account: this.account, chain: this.walletClient.chain } as const;
    let hash: Hex;
    const calldata = (encodeFunctionData({ abi: this.abi, functionName, args } as never).length - 2) / 2;
    try {
      // Headroom over the estimate: the clocks make storage costs depend on the block's timestamp, which the
      // estimate can only guess.
      const gas = ((await this.publicClient.estimateContractGas(call)) * 5n) / 4n + 20_000n;
      hash = await this.walletClient.writeContract({ ...call, gas });
    } catch (err) {
      // A send that failed after taking a nonce must not leave a gap: ask the chain again next time.
      this.nonces?.reset({ address: this.account.address, chainId: this.walletClient.chain!.id });
      throw chainError(action, err, this.deployment.rpcUrl);
    }
    const receipt = this.publicClient.waitForTransactionReceipt({ hash, retryCount: 1000 }).then((r) => {
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
  private async write(action: string, functionName: string, args: readonly unknown[], value?: bigint): Promise<TransactionReceipt> {
    await this.send(action, functionName, args, value);
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

  async register(c: ModelCommitment): Promise<void> {
    if (await this.isRegistered(c.modelId)) return;
    await this.write('register', 'register', [c.nodes.map(toAbiNodeSpec), c.inputWords, c.outputSlot, c.outputWords]);
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
    const logs = await this.events('Submitted', { id });
    if (logs.length === 0) throw new ChainError(`submission ${id} has no Submitted event on this game contract`, 'check the id with `opml status`');
    const { modelId, uploads } = logs[0] as { modelId: Hex; uploads: readonly bigint[] };
    const { inputWords } = await this.model(modelId);
    return Promise.all(
      uploads.map(async (upload, i) => {
        const chunks = ((await this.events('InputChunk', { upload })) as { index: bigint; words: Hex }[]).sort((a, b) => Number(a.index - b.index));
        const bytes = chunks.flatMap((c) => Array.from(hexToBytes(c.words)));
        const words = unpackWords(Uint8Array.from(bytes.slice(0, inputWords[i] * 4)));
        if (words.length !== inputWords[i]) throw new ChainError(`submission ${id}: input ${i} has ${words.length} published words, the model ${inputWords[i]}`);
        return words;
      }),
    );
  }

  /** The decoded arguments of this contract's `eventName` events matching `args`, oldest first. */
  async events(eventName: string, args: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    try {
      const logs = await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName, args, fromBlock: BigInt(this.deployment.deployBlock) });
      return logs.map((l) => (l as unknown as { args: Record<string, unknown> }).args);
    } catch (err) {
      throw chainError(`reading ${eventName} events`, err, this.deployment.rpcUrl);
    }
  }

  /** A still-pending submission of `modelId` by this account with final state `finalState`, if one exists. */
  async findPendingSubmission(modelId: Hex, finalState: Hex): Promise<bigint | undefined> {
    for (const args of (await this.events('Submitted', { submitter: this.address, modelId })) as { id: bigint; finalState: Hex }[]) {
      if (args.finalState === finalState && (await this.submission(args.id)).status === SubmissionStatus.Pending) return args.id;
    }
    return undefined;
  }

  /** Dispute ids opened on submission `id`. */
  async disputesOf(id: bigint): Promise<bigint[]> {
    return ((await this.events('Challenged', { id })) as { d: bigint }[]).map((a) => a.d);
  }

  /** Ids of the submissions posted by `submitter`. */
  async submissionsBy(submitter: Address): Promise<bigint[]> {
    return ((await this.events('Submitted', { submitter })) as { id: bigint }[]).map((a) => a.id);
  }

  // ---- moves -----------------------------------------------------------------------------------------

  postGraphState(d: bigint, state: Hex) {
    return this.send('post graph state', 'postGraphState', [d, state]);
  }

  respondGraph(d: bigint, agree: boolean) {
    return this.send('respond graph', 'respondGraph', [d, agree]);
  }

  startVM(d: bigint, t: Transition) {
    return this.send('start VM', 'startVM', [d, toAbiTransition(t)]);
  }

  postVMState(d: bigint, state: Hex) {
    return this.send('post VM state', 'postVMState', [d, state]);
  }

  respondVM(d: bigint, agree: boolean) {
    return this.send('respond VM', 'respondVM', [d, agree]);
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
