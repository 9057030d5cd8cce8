/**
 * Replays a dispute scenario on a fresh local anvil: deploy, optionally attack the contract with a malformed
 * submission (it must be refused) or poison the watchers, submit (honestly or with a lie), challengers check and
 * play, and the outcome is checked: the honest side wins every dispute it is in, every dispute ends within the
 * chain-time bound, and every wei ends where docs/GAME.md says (each account's net from the rulings, the
 * contract left holding exactly what was burned).
 *
 * Time: instantly (a block per transaction; time warps only when every actor waits on a clock), or with a block
 * time: automining off, every round of moves goes into one block `blockTime` seconds after the last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bytesToHex, hexToBytes, parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ANVIL_KEYS, startAnvil } from '../chain/anvil.ts';
import type { PreparedModel } from '../../models/prepare.ts';
import { modelCommitment, modelIdOf, nodeTree, type ModelCommitment } from '../../models/int/commitment.ts';
import { unpackWords } from '../../models/int/roots.ts';
import { HonestClaims, LyingClaims, type Claims } from './claims.ts';
import { GameChain, type GameParams } from './chain.ts';
import { Challenger, type ChallengerState } from './challenger.ts';
import { Submitter, type SubmitterState } from './submitter.ts';
import { pickNode, type ActorSpec, type Scenario } from './scenarios.ts';
import { Store } from './store.ts';
import { Phase, REASON_NAMES, SIDE_NAMES, Side, STATUS_NAMES, SubmissionStatus, type Deployment, type DisputeView } from './types.ts';
import { playRound, type Actor, type ActorLog } from './actor.ts';
import { ChallengerWatch, type WatchedModel } from './watcher.ts';
import { longestDispute, PROFILES } from './params.ts';
import { FORCED_MOVE_CALLDATA, FORCED_MOVE_GAS } from './forcedMoves.ts';

/** anvil's first default account deploys the contracts (a well-known test key, never real funds). */
const DEPLOYER = ANVIL_KEYS[0];
const BOND = parseEther('1');
const FUNDING = parseEther('100');

export interface ReplayOptions {
  model: PreparedModel;
  input: Int32Array[];
  inputLabel: string;
  commitment?: ModelCommitment;
  log?: ActorLog;
  /** Use this RPC instead of starting anvil (it must be an anvil: time is advanced with evm_increaseTime). */
  rpcUrl?: string;
  /** Told before the contracts are compiled (first run on a fresh clone only). */
  onBuild?: (what: string) => void;
  /** Seconds per block (overrides the scenario's); 0 plays instantly. */
  blockTime?: number;
  /** k of the dissection (default: the profile's). */
  arity?: number;
  /** Told the contracts' deployment once deployed (to read the game afterwards, e.g. `opml report` on `rpcUrl`). */
  onDeployed?: (deployment: Deployment) => void;
}

export interface DisputeOutcome {
  d: string;
  submission: string;
  challenger: number;
  winner: string;
  reason: string;
  node: number;
  /** Chain seconds from the challenge to the ruling. */
  seconds: number;
}

export interface ReplayResult {
  scenario: string;
  model: string;
  ok: boolean;
  problems: string[];
  submissionStatus: string;
  /** What the contract refused in an attack, by error name. */
  refused?: string;
  disputes: DisputeOutcome[];
  /** Net wei change of each party (gas fees added back). */
  net: { submitter: string; challengers: string[] };
  /** Whether every account's net and the contract's balance are what the rules say. */
  fundsOk: boolean;
  burned: string;
  gas: {
    /** Everything each side sent: registration, inputs and bonds included. */
    submitter: string;
    challengers: string[];
    judgeStep?: string;
    startVM?: string;
    startVMCalldata?: number;
    /** The dispute's moves alone, per side (bisections, transitions, the step, timeouts, settling). */
    dispute: { submitter: string; challengers: string[] };
    /** The dearest dispute move of any side. */
    dearestMove?: { action: string; gas: string; calldata: number };
  };
  rounds: { graph: number; tile: number; vm: number };
  /** Chain seconds from the first challenge to the last ruling, and the bound docs/GAME.md gives one dispute. */
  chainSeconds: number;
  boundSeconds: number;
  blockTime: number;
  wallMillis: number;
}

function claimsFor(spec: ActorSpec, prepared: PreparedModel, input: Int32Array[], c: ModelCommitment): Claims {
  if (!spec.lie) return new HonestClaims(prepared.int, input, c, undefined, prepared.lowering);
  const node = pickNode(spec.lie.node, c.numNodes, c.nodes.map((n) => n.inputs.length), c.nodes.map((n) => n.numTiles));
  return new LyingClaims(prepared.int, input, { node, vmFrom: spec.lie.vmFrom, tileFrom: spec.lie.tileFrom, badTransition: spec.badTransition }, c, prepared.lowering);
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Words at the edges of int32 and of int8, in a fixed pattern: a valid but unusual input. */
function edgeWords(n: number): Int32Array {
  const edges = [-2147483648, 2147483647, 0, -1, 1, 127, -128, 255];
  return Int32Array.from({ length: n }, (_, i) => edges[i % edges.length]);
}

export async function replay(scenario: Scenario, opts: ReplayOptions): Promise<ReplayResult> {
  const anvil = opts.rpcUrl ? undefined : await startAnvil();
  const rpcUrl = opts.rpcUrl ?? anvil!.rpcUrl;
  const dir = mkdtempSync(path.join(tmpdir(), 'opml-replay-'));
  const blockTime = opts.blockTime ?? scenario.blockTime ?? 0;
  try {
    const c = opts.commitment ?? modelCommitment(opts.model.int, opts.model.lowering);
    const base = PROFILES.find((p) => p.name === (blockTime >= 12 ? 'l1' : 'devnet'))!.params;
    const params: GameParams = { ...base, minBond: BOND, challengeBond: BOND, arity: opts.arity ?? base.arity };
    if (blockTime > 0) await rpc(rpcUrl, 'anvil_setBlockTimestampInterval', [blockTime]);
    const deployment: Deployment = await GameChain.deploy(rpcUrl, DEPLOYER, params, opts.onBuild);
    opts.onDeployed?.(deployment);
    const started = performance.now(); // wall time: from the submission to the last withdrawal
    const log = opts.log ?? (() => {});
    const accounts: Address[] = [];
    const chains: GameChain[] = [];
    const connect = async (): Promise<GameChain> => {
      const key = generatePrivateKey();
      await rpc(rpcUrl, 'anvil_setBalance', [privateKeyToAccount(key).address, `0x${FUNDING.toString(16)}`]);
      const chain = await GameChain.connect(deployment, key);
      accounts.push(chain.address);
      chains.push(chain);
      return chain;
    };
    const binding = { chainId: deployment.chainId, game: deployment.game };
    // A last-second mover: before each of its own moves, the next block is set to one second before its deadline.
    const lastSecond = (spec: ActorSpec, side: number) =>
      spec.lastSecond
        ? async (_d: bigint, v: DisputeView) => {
            if (v.turn !== side || v.deadline === 0n) return;
            if ((await subChain.now()) < v.deadline - 2n) await rpc(rpcUrl, 'evm_setNextBlockTimestamp', [Number(v.deadline) - 1]);
          }
        : undefined;

    // The submitter, and the attack it tries first.
    const subChain = await connect();
    const subClaims = claimsFor(scenario.submitter, opts.model, opts.input, c);
    let refused: string | undefined;
    const problems: string[] = [];
    if (scenario.attack) {
      refused = await attack(scenario.attack, subChain, subClaims, c);
      if (!refused) problems.push(`the contract accepted the ${scenario.attack} submission`);
      else log(`submitter: the contract refused its ${scenario.attack} submission: ${refused}`);
    }
    if (scenario.poison) await poison(await connect(), opts.model, c, log);
    const subStore = Store.openBound<SubmitterState>(path.join(dir, 'submitter.json'), { role: 'submitter', model: opts.model.ref, input: opts.inputLabel }, binding);
    const submitter = new Submitter(subChain, subClaims, subStore, { stopAfterMoves: scenario.submitter.stopAfterMoves, beforeMove: lastSecond(scenario.submitter, Side.Submitter), log });
    const id = await submitter.submit(BOND);

    // Challengers: honest ones are real watchers (they see every submission, poison included); liars and
    // accomplices challenge this result whatever they find.
    const honestModel: WatchedModel = { name: opts.model.ref, commitment: c, claims: async (inputs) => new HonestClaims(opts.model.int, inputs, c, undefined, opts.model.lowering) };
    const challengers = await Promise.all(
      scenario.challengers.map(async (spec, i) => {
        const chain = await connect();
        const file = path.join(dir, `challenger-${i}.json`);
        const name = `challenger ${i + 1}${spec.lie ? ' (lying)' : spec.sybil ? " (the liar's second address)" : ''}`;
        const actorOpts = { stopAfterMoves: spec.stopAfterMoves, beforeMove: lastSecond(spec, Side.Challenger), log, name };
        const store = () => Store.openBound<ChallengerState>(file, { role: 'challenger', model: opts.model.ref, checked: {} }, binding);
        const watcher = (): ChallengerWatch | undefined => (spec.lie || spec.sybil ? undefined : new ChallengerWatch(chain, honestModel, store(), actorOpts));
        const single = (): Challenger => new Challenger(chain, claimsFor(spec, opts.model, opts.input, c), store(), id, actorOpts, name);
        return { spec, chain, watcher: watcher(), single: spec.lie || spec.sybil ? single() : undefined, remake: { watcher, single }, restarted: false };
      }),
    );
    const start = async (ch: (typeof challengers)[number]) => (ch.watcher ? ch.watcher.scan() : ch.single!.consider(true).then(() => undefined));
    if (scenario.sameBlock) {
      await rpc(rpcUrl, 'evm_setAutomine', [false]);
      const pending = challengers.map(start);
      await mineWhenPending(rpcUrl, challengers.length);
      await Promise.all(pending);
      await rpc(rpcUrl, 'evm_setAutomine', [true]);
    } else {
      for (const ch of challengers) await start(ch);
    }
    const firstChallenge = await subChain.now();

    const actors = (): Actor[] => [submitter, ...challengers.flatMap((ch) => (ch.watcher ? ch.watcher.challengers : [ch.single!]))];
    if (blockTime > 0) await rpc(rpcUrl, 'evm_setAutomine', [false]);
    const mine = blockTime > 0 ? () => rpc(rpcUrl, 'evm_mine', []).then(() => undefined) : undefined;
    for (let round = 0; round < 10_000; round++) {
      for (const ch of challengers) if (ch.watcher) await ch.watcher.scan();
      const acted = await playRound(actors(), mine, log);
      for (const ch of challengers) {
        const moves = (ch.watcher?.challengers ?? [ch.single!]).reduce((a, x) => a + x.moves, 0);
        if (ch.spec.restartAfterMoves !== undefined && !ch.restarted && moves >= ch.spec.restartAfterMoves) {
          ch.restarted = true; // a new process: everything it knows comes from its state file and the chain
          ch.watcher = ch.remake.watcher();
          log(`challenger ${challengers.indexOf(ch) + 1}: killed after ${moves} moves and restarted from its state file`);
        }
      }
      if ((await Promise.all(actors().map((a) => a.done()))).every(Boolean)) break;
      if (!acted) {
        // Everyone waits on a clock or the challenge window: let time pass.
        const open = (await subChain.submission(id)).openDisputes > 0;
        await rpc(rpcUrl, 'evm_increaseTime', [(open ? params.clockSeconds : params.challengeWindow) + 1]);
        await rpc(rpcUrl, 'evm_mine', []);
      }
    }
    if (blockTime > 0) await rpc(rpcUrl, 'evm_setAutomine', [true]);
    await sweep(subChain, chains, params.challengeWindow, rpcUrl);

    // Outcome: every dispute on every submission of this replay.
    const s = await subChain.submission(id);
    const honestAccount = scenario.honest === 'submitter' ? subChain.address : challengers[scenario.honest].chain.address;
    const disputes: DisputeOutcome[] = [];
    const bound = longestDispute(c, params).seconds;
    const subs = new Map<bigint, Awaited<ReturnType<GameChain['submission']>>>();
    const views: { d: bigint; v: DisputeView }[] = [];
    let lastRuling = firstChallenge;
    for (let d = 0n; d < (await subChain.disputeCount()); d++) {
      const v = await subChain.dispute(d);
      views.push({ d, v });
      if (!subs.has(v.submissionId)) subs.set(v.submissionId, await subChain.submission(v.submissionId));
      const idx = challengers.findIndex((ch) => ch.chain.address === v.challenger);
      const ruledAt = await rulingTime(subChain, d);
      if (ruledAt > lastRuling) lastRuling = ruledAt;
      disputes.push({ d: d.toString(), submission: v.submissionId.toString(), challenger: idx, winner: SIDE_NAMES[v.winner], reason: REASON_NAMES[v.reason], node: v.node, seconds: Number(ruledAt - v.createdAt) });
      if (v.phase !== Phase.Resolved) problems.push(`dispute ${d} did not end`);
      else if (ruledAt - v.createdAt > BigInt(bound)) problems.push(`dispute ${d} lasted ${ruledAt - v.createdAt} s, over the bound of ${bound} s`);
      const honestSide = v.challenger === honestAccount ? Side.Challenger : v.submitter === honestAccount ? Side.Submitter : undefined;
      if (honestSide !== undefined && v.winner !== honestSide) problems.push(`dispute ${d}: the ${SIDE_NAMES[v.winner]} won, but the ${SIDE_NAMES[honestSide]} was honest`);
    }
    if (scenario.honest === 'submitter' && s.status !== SubmissionStatus.Finalized) problems.push(`the honest result ended ${STATUS_NAMES[s.status]}`);
    if (scenario.honest !== 'submitter' && s.status !== SubmissionStatus.Rejected) problems.push(`the wrong result ended ${STATUS_NAMES[s.status]}`);
    if (!disputes.some((o) => o.submission === id.toString())) problems.push('nobody disputed the result');

    // Money: each account's net is what the rulings say; the contract holds exactly what was burned.
    const expected = new Map<Address, bigint>(accounts.map((a) => [a, 0n]));
    const add = (a: Address, x: bigint) => expected.set(a, (expected.get(a) ?? 0n) + x);
    // The rules of docs/GAME.md computed here from the rulings alone (not from the contract's own bookkeeping): a
    // rejected submission's bond is half burned, the rest split equally among the challengers who won against it.
    const winners = new Map<bigint, bigint>();
    for (const { v } of views) if (v.winner === Side.Challenger) winners.set(v.submissionId, (winners.get(v.submissionId) ?? 0n) + 1n);
    const share = (id: bigint, bond: bigint) => (bond - bond / 2n) / (winners.get(id) ?? 1n);
    let burned = 0n;
    for (const [sid, sub] of subs) {
      if (sub.status === SubmissionStatus.Rejected) {
        add(sub.submitter, -sub.bond);
        burned += sub.bond - share(sid, sub.bond) * (winners.get(sid) ?? 0n);
      }
    }
    for (const { v } of views) {
      const sub = subs.get(v.submissionId)!;
      if (v.winner === Side.Challenger) add(v.challenger, share(v.submissionId, sub.bond));
      if (v.winner === Side.Submitter) {
        add(v.challenger, -BOND);
        add(sub.submitter, BOND);
      }
    }
    const nets = new Map<Address, bigint>();
    for (const chain of chains) nets.set(chain.address, (await chain.publicClient.getBalance({ address: chain.address })) + chain.fees - FUNDING);
    let fundsOk = true;
    for (const [a, want] of expected) {
      if (nets.get(a) !== want) {
        fundsOk = false;
        problems.push(`${a} ended with ${nets.get(a)} wei, the rules say ${want}`);
      }
    }
    const held = await subChain.publicClient.getBalance({ address: deployment.game });
    const burnedOnChain = (await subChain.read<bigint>('burned')) ?? 0n;
    if (held !== burned || burnedOnChain !== burned) {
      fundsOk = false;
      problems.push(`the game holds ${held} wei and counts ${burnedOnChain} burned; the rulings burn ${burned}`);
    }
    if (scenario.name === 'self-reject' && (nets.get(honestAccount) ?? 0n) <= 0n) problems.push('the honest challenger got no reward');
    if (scenario.name === 'sybil-10' && (nets.get(subChain.address) ?? 0n) - subChain.fees <= 0n) problems.push('the honest submitter did not end with more than it started');

    // Forced moves: the transition is the heaviest; it must stay under the caps.
    const all = chains.flatMap((ch) => ch.gas);
    const startVM = all.filter((g) => g.action === 'start VM').sort((a, b) => Number(b.gas - a.gas))[0];
    if (startVM && (startVM.gas > BigInt(FORCED_MOVE_GAS) || startVM.calldata > FORCED_MOVE_CALLDATA)) problems.push(`startVM took ${startVM.gas} gas and ${startVM.calldata} bytes of calldata, over the caps`);
    // Every other move of a dispute (the tile transitions included) is a forced move too: none may pass the caps.
    const SETUP = new Set(['register', 'upload input', 'submit', 'challenge', 'withdraw', 'finalize']);
    for (const g of all) {
      if (SETUP.has(g.action) || g.action === 'start VM') continue;
      if (g.gas > BigInt(FORCED_MOVE_GAS) || g.calldata > FORCED_MOVE_CALLDATA) problems.push(`${g.action} took ${g.gas} gas and ${g.calldata} bytes of calldata, over the caps`);
    }
    const sum = (chain: GameChain) => chain.gas.reduce((a, g) => a + g.gas, 0n).toString();
    // The dispute's own moves (no registration, inputs, bonds or withdrawals): what playing the game costs a side.
    const played = (chain: GameChain) => chain.gas.filter((g) => !SETUP.has(g.action)).reduce((a, g) => a + g.gas, 0n).toString();
    const dearest = all.filter((g) => !SETUP.has(g.action)).reduce<(typeof all)[number] | undefined>((a, g) => (a === undefined || g.gas > a.gas ? g : a), undefined);
    return {
      scenario: scenario.name,
      model: opts.model.ref,
      ok: problems.length === 0,
      problems,
      submissionStatus: STATUS_NAMES[s.status],
      refused,
      disputes,
      net: { submitter: String(nets.get(subChain.address)), challengers: challengers.map((ch) => String(nets.get(ch.chain.address))) },
      fundsOk,
      burned: burned.toString(),
      gas: { submitter: sum(subChain), challengers: challengers.map((ch) => sum(ch.chain)), judgeStep: all.find((g) => g.action === 'resolve step')?.gas.toString(), startVM: startVM?.gas.toString(), startVMCalldata: startVM?.calldata, dispute: { submitter: played(subChain), challengers: challengers.map((ch) => played(ch.chain)) }, ...(dearest ? { dearestMove: { action: dearest.action, gas: dearest.gas.toString(), calldata: dearest.calldata } } : {}) },
      rounds: { graph: subChain.gas.filter((g) => g.action === 'post graph states').length, tile: subChain.gas.filter((g) => g.action === 'post tile states').length, vm: subChain.gas.filter((g) => g.action === 'post VM states').length },
      chainSeconds: Number(lastRuling - firstChallenge),
      boundSeconds: bound,
      blockTime,
      wallMillis: Math.round(performance.now() - started),
    };
  } finally {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * End what no actor of the scenario tends (a poisoner's results): past the window, finalize every pending
 * submission without open disputes (anyone may), then have every account withdraw its credit.
 */
async function sweep(chain: GameChain, chains: GameChain[], window: number, rpcUrl: string): Promise<void> {
  const count = await chain.submissionCount();
  for (let id = 0n; id < count; id++) {
    const s = await chain.submission(id);
    if (s.status !== SubmissionStatus.Pending || s.openDisputes > 0) continue;
    const end = s.submittedAt + BigInt(window);
    const now = await chain.now();
    if (now <= end) await rpc(rpcUrl, 'evm_increaseTime', [Number(end - now) + 1]);
    await chain.finalize(id);
    await chain.flush();
  }
  for (const c of chains) {
    if ((await c.credits()) > 0n) {
      await c.withdraw();
      await c.flush();
    }
  }
}

/** Mine one block once `count` transactions wait in the pool (polls the pool; no wall-clock assumption). */
async function mineWhenPending(rpcUrl: string, count: number): Promise<void> {
  for (;;) {
    const status = (await rpc(rpcUrl, 'txpool_status', [])) as { pending: Hex };
    if (Number(status.pending) >= count) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await rpc(rpcUrl, 'evm_mine', []);
}

/** When dispute `d` was ruled (its DisputeResolved block), or now while it is open. */
async function rulingTime(chain: GameChain, d: bigint): Promise<bigint> {
  const logs = await chain.eventLogs('DisputeResolved', { d });
  if (logs.length === 0) return chain.now();
  return (await chain.publicClient.getBlock({ blockNumber: logs[0].blockNumber })).timestamp;
}

/**
 * A malformed submission the contract must refuse; returns the revert's error name, or undefined if it was
 * accepted. hidden-input: the 8 words spelling the input root; short-input: one word short; output-alias: the
 * right inputs and a true S_n, with the 8 words spelling the output root as the output.
 */
async function attack(kind: Scenario['attack'], chain: GameChain, claims: Claims, c: ModelCommitment): Promise<string | undefined> {
  await chain.register(c);
  const rootWords = (h: Hex) => unpackWords(hexToBytes(h));
  const inputs = claims.inputs.map((w, i) => (i > 0 ? w : kind === 'hidden-input' ? rootWords(claims.inputRoots[0]) : kind === 'short-input' ? w.subarray(0, w.length - 1) : w));
  const uploads: bigint[] = [];
  for (const w of inputs) uploads.push(await chain.uploadInput(w));
  const output = kind === 'output-alias' ? rootWords(claims.nodeOutputRoot(c.numNodes - 1)) : claims.output();
  try {
    await chain.submit(c.modelId, uploads, output, claims.graphState(c.numNodes), claims.outputProof(), BOND);
    return undefined;
  } catch (err) {
    return /rejected it: (\w+)/.exec(err instanceof Error ? err.message : '')?.[1] ?? (err instanceof Error ? err.message : String(err));
  }
}

/**
 * Results a watcher must survive before the real one: a result of another (registered, valid) model, and a
 * lie about this model on edge-valued inputs (re-executable: the integer semantics are total).
 */
async function poison(chain: GameChain, model: PreparedModel, c: ModelCommitment, log: ActorLog): Promise<void> {
  // Another model: one node's commitment changed (an untiled node's step count, or a tiled node's tile root).
  const alter = (n: ModelCommitment['nodes'][number]) => (n.numTiles === 0 ? { ...n, steps: n.steps + 1 } : { ...n, tilesRoot: `0x${'11'.repeat(32)}` as const });
  const other: ModelCommitment = { ...c, nodes: c.nodes.map((n, j) => (j === 0 ? alter(n) : n)) };
  other.nodesRoot = bytesToHex(nodeTree(other.nodes).root());
  other.modelId = modelIdOf(other);
  await chain.register(other);
  await chain.register(c);
  const edge = c.inputWords.map(edgeWords);
  const honestEdge = new HonestClaims(model.int, edge, c, undefined, model.lowering);
  const uploads: bigint[] = [];
  for (const w of edge) uploads.push(await chain.uploadInput(w));
  await chain.submit(other.modelId, uploads, honestEdge.output(), honestEdge.graphState(c.numNodes), honestEdge.outputProof(), BOND);
  log(`poisoner: posted a result of another model (${other.modelId.slice(0, 10)}…)`);
  const lie = new LyingClaims(model.int, edge, { node: 0, vmFrom: 'end' }, c, model.lowering);
  await chain.submit(c.modelId, uploads, lie.output(), lie.graphState(c.numNodes), lie.outputProof(), BOND);
  log('poisoner: posted a lie on edge-valued inputs');
}
