/**
 * The dispute-game contract from TypeScript: deploy, register, submit, challenge, every move, reads, events.
 * Every write is estimated first (so a revert comes back as the contract's named error) and waited for; the
 * gas of every transaction is logged per action for reports.
 */
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  defineChain,
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
import { loadArtifact } from '../chain/artifacts.ts';
import { ensureContractsBuilt } from '../chain/foundry.ts';
import { toAbiState } from '../chain/judgeAbi.ts';
import { toAbiNodeSpec, type ModelCommitment } from '../../models/int/commitment.ts';
import type { StepWitness } from '../../vm/prover.ts';
import type { Transition } from './claims.ts';
import { chainError, ChainError } from './errors.ts';
import { SubmissionStatus, type Deployment, type DisputeView, type SubmissionView } from './types.ts';

export interface GasEntry {
  action: string;
  gas: bigint;
}

function chainFor(id: number, rpcUrl: string): Chain {
  return defineChain({ id, name: id === 31337 ? 'anvil' : `chain ${id}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
}

async function clientsFor(rpcUrl: string, privateKey: Hex) {
  const transport = http(rpcUrl, { retryCount: 0 });
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (err) {
    throw chainError('connecting', err, rpcUrl);
  }
  const chain = chainFor(chainId, rpcUrl);
  const account = privateKeyToAccount(privateKey);
  return {
    chainId,
    account,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient,
    walletClient: createWalletClient({ chain, transport, account }),
  };
}

export interface GameParams {
  minBond: bigint;
  challengeWindow: number;
  clockSeconds: number;
}

export class GameChain {
  readonly gas: GasEntry[] = [];
  /** Wei this client paid in transaction fees (reverted transactions included). */
  fees = 0n;
  private readonly abi: Abi;

  private constructor(
    readonly publicClient: PublicClient,
    readonly walletClient: WalletClient,
    readonly account: Account,
    readonly deployment: Deployment,
  ) {
    // The game's ABI plus the errors of the contracts it calls, so their reverts decode by name too.
    const errorsOf = (name: string) => loadArtifact(name).abi.filter((e) => e.type === 'error');
    this.abi = [...loadArtifact('DisputeGame').abi, ...errorsOf('TransitionVerifier'), ...errorsOf('VMJudge')];
  }

  get address(): Address {
    return this.account.address;
  }

  static async connect(deployment: Deployment, privateKey: Hex): Promise<GameChain> {
    ensureContractsBuilt();
    const c = await clientsFor(deployment.rpcUrl, privateKey);
    if (c.chainId !== deployment.chainId) {
      throw new ChainError(`the RPC at ${deployment.rpcUrl} is chain ${c.chainId}, but the deployment is on chain ${deployment.chainId}`, 'deploy again with `opml deploy`');
    }
    const code = await c.publicClient.getCode({ address: deployment.game }).catch((e) => {
      throw chainError('reading the game contract', e, deployment.rpcUrl);
    });
    if (!code || code === '0x') throw new ChainError(`no game contract at ${deployment.game} on ${deployment.rpcUrl}`, 'deploy it with `opml deploy` (or start `opml devnet`)');
    return new GameChain(c.publicClient, c.walletClient, c.account, deployment);
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
    const game = await deployOne('DisputeGame', [judge.address, params.minBond, BigInt(params.challengeWindow), BigInt(params.clockSeconds)]);
    return {
      rpcUrl,
      chainId: c.chainId,
      judge: judge.address,
      game: game.address,
      minBond: params.minBond.toString(),
      challengeWindow: params.challengeWindow,
      clockSeconds: params.clockSeconds,
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

  /** Estimate (which executes it), send, wait; log the gas under `action`. */
  private async write(action: string, functionName: string, args: readonly unknown[], value?: bigint): Promise<TransactionReceipt> {
    try {
      const call = { address: this.deployment.game, abi: this.abi, functionName, args, value, account: this.account, chain: this.walletClient.chain } as const;
      // The estimate executes the call (a revert comes back decoded); headroom over it because the clocks make
      // storage costs depend on the block's timestamp, which the estimate can only guess.
      const gas = ((await this.publicClient.estimateContractGas(call)) * 5n) / 4n + 20_000n;
      const hash = await this.walletClient.writeContract({ ...call, gas });
      const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
      this.fees += receipt.gasUsed * receipt.effectiveGasPrice;
      if (receipt.status !== 'success') throw new ChainError(`${action}: the transaction reverted`);
      this.gas.push({ action, gas: receipt.gasUsed });
      return receipt;
    } catch (err) {
      throw chainError(action, err, this.deployment.rpcUrl);
    }
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
    await this.write('register', 'register', [{ nodesRoot: c.nodesRoot, numNodes: c.numNodes, numInputs: c.numInputs, outputSlot: c.outputSlot }]);
  }

  async submit(modelId: Hex, inputs: Int32Array[], output: Int32Array, finalState: Hex, outputSiblings: Hex[], bond: bigint): Promise<bigint> {
    const receipt = await this.write('submit', 'submitWithInputs', [modelId, inputs.map((w) => Array.from(w)), Array.from(output), finalState, outputSiblings], bond);
    return this.eventArgs(receipt, 'Submitted').id as bigint;
  }

  async challenge(id: bigint, bond: bigint): Promise<bigint> {
    const receipt = await this.write('challenge', 'challenge', [id], bond);
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

  /** The inputs a submission was made on (from its InputsPublished event). */
  async submittedInputs(id: bigint): Promise<Int32Array[]> {
    const logs = await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName: 'InputsPublished', args: { id }, fromBlock: BigInt(this.deployment.deployBlock) });
    if (logs.length === 0) throw new ChainError(`submission ${id} has no published inputs on this game contract`, 'check the id with `opml status`; results posted with submit(roots) publish their inputs elsewhere');
    const args = (logs[0] as unknown as { args: { inputs: readonly (readonly number[])[] } }).args;
    return args.inputs.map((w) => Int32Array.from(w));
  }

  /** A still-pending submission of `modelId` by this account with final state `finalState`, if one exists. */
  async findPendingSubmission(modelId: Hex, finalState: Hex): Promise<bigint | undefined> {
    const logs = await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName: 'Submitted', args: { submitter: this.address, modelId }, fromBlock: BigInt(this.deployment.deployBlock) });
    for (const l of logs) {
      const args = (l as unknown as { args: { id: bigint; finalState: Hex } }).args;
      if (args.finalState === finalState && (await this.submission(args.id)).status === SubmissionStatus.Pending) return args.id;
    }
    return undefined;
  }

  /** Dispute ids opened on submission `id`. */
  async disputesOf(id: bigint): Promise<bigint[]> {
    const logs = await this.publicClient.getContractEvents({ address: this.deployment.game, abi: this.abi, eventName: 'Challenged', args: { id }, fromBlock: BigInt(this.deployment.deployBlock) });
    return logs.map((l) => (l as unknown as { args: { d: bigint } }).args.d);
  }

  // ---- moves -----------------------------------------------------------------------------------------

  postGraphState(d: bigint, state: Hex) {
    return this.write('post graph state', 'postGraphState', [d, state]);
  }

  respondGraph(d: bigint, agree: boolean) {
    return this.write('respond graph', 'respondGraph', [d, agree]);
  }

  startVM(d: bigint, t: Transition) {
    return this.write('start VM', 'startVM', [
      d,
      {
        spec: toAbiNodeSpec(t.spec),
        nodeSiblings: t.nodeSiblings,
        slotRoots: t.slotRoots,
        slotSiblings: t.slotSiblings,
        finalState: toAbiState(t.final),
        outRoot: t.outRoot,
        outSiblings: t.outSiblings,
        outSlotSiblings: t.outSlotSiblings,
      },
    ]);
  }

  postVMState(d: bigint, state: Hex) {
    return this.write('post VM state', 'postVMState', [d, state]);
  }

  respondVM(d: bigint, agree: boolean) {
    return this.write('respond VM', 'respondVM', [d, agree]);
  }

  resolveStep(d: bigint, w: StepWitness) {
    return this.write('resolve step', 'resolveStep', [d, toAbiState(w.pre), w.proof]);
  }

  timeout(d: bigint) {
    return this.write('timeout', 'timeout', [d]);
  }

  settle(d: bigint) {
    return this.write('settle', 'settle', [d]);
  }

  finalize(id: bigint) {
    return this.write('finalize', 'finalize', [id]);
  }

  withdraw() {
    return this.write('withdraw', 'withdraw', []);
  }

  /** Seconds since the epoch of the latest block (the contract's clock). */
  async now(): Promise<bigint> {
    return (await this.publicClient.getBlock()).timestamp;
  }
}
