/**
 * Replays a dispute scenario on a fresh local anvil: deploy, submit (honestly or with a lie), challengers check
 * and play, time advances only when every actor is waiting on a clock, and the outcome is checked: the honest
 * side wins every dispute that ends in a ruling, and every wei ends where the rules say.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEther, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ANVIL_KEYS, startAnvil } from '../chain/anvil.ts';
import type { PreparedModel } from '../../models/prepare.ts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import { HonestClaims, LyingClaims, type Claims } from './claims.ts';
import { GameChain } from './chain.ts';
import { Challenger, type ChallengerState } from './challenger.ts';
import { Submitter, type SubmitterState } from './submitter.ts';
import { pickNode, type ActorSpec, type Scenario } from './scenarios.ts';
import { Store } from './store.ts';
import { Phase, REASON_NAMES, SIDE_NAMES, Side, STATUS_NAMES, SubmissionStatus, type Deployment } from './types.ts';
import type { Actor, ActorLog } from './actor.ts';

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
  onBuild?: () => void;
}

export interface DisputeOutcome {
  d: string;
  challenger: number;
  winner: string;
  reason: string;
  node: number;
}

export interface ReplayResult {
  scenario: string;
  model: string;
  ok: boolean;
  problems: string[];
  submissionStatus: string;
  disputes: DisputeOutcome[];
  /** Net wei change of each party (after adding back its gas fees). */
  net: { submitter: string; challengers: string[] };
  gas: { submitter: string; challengers: string[]; judgeStep?: string };
  rounds: { graph: number; vm: number };
  wallMillis: number;
}

function claimsFor(spec: ActorSpec, prepared: PreparedModel, input: Int32Array[], c: ModelCommitment): Claims {
  if (!spec.lie) return new HonestClaims(prepared.int, input, c);
  return new LyingClaims(prepared.int, input, { node: pickNode(spec.lie.node, c.numNodes), vmFrom: spec.lie.vmFrom, badTransition: spec.badTransition }, c);
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export async function replay(scenario: Scenario, opts: ReplayOptions): Promise<ReplayResult> {
  const anvil = opts.rpcUrl ? undefined : await startAnvil();
  const rpcUrl = opts.rpcUrl ?? anvil!.rpcUrl;
  const dir = mkdtempSync(path.join(tmpdir(), 'opml-replay-'));
  try {
    const c = opts.commitment ?? modelCommitment(opts.model.int);
    const params = { minBond: BOND, challengeWindow: 600, clockSeconds: 300 };
    const deployment: Deployment = await GameChain.deploy(rpcUrl, DEPLOYER, params, opts.onBuild);
    const started = performance.now(); // the dispute's wall time: from the submission to the last withdrawal
    const fund = async (): Promise<Hex> => {
      const key = generatePrivateKey();
      await rpc(rpcUrl, 'anvil_setBalance', [privateKeyToAccount(key).address, `0x${FUNDING.toString(16)}`]);
      return key;
    };
    const log = opts.log ?? (() => {});

    const subKey = await fund();
    const subChain = await GameChain.connect(deployment, subKey);
    const subStore = Store.open<SubmitterState>(path.join(dir, 'submitter.json'), { role: 'submitter', model: opts.model.ref, input: opts.inputLabel });
    const submitter = new Submitter(subChain, claimsFor(scenario.submitter, opts.model, opts.input, c), subStore, { stopAfterMoves: scenario.submitter.stopAfterMoves, log });
    const id = await submitter.submit(BOND);

    const challengers = await Promise.all(
      scenario.challengers.map(async (spec, i) => {
        const chain = await GameChain.connect(deployment, await fund());
        const file = path.join(dir, `challenger-${i}.json`);
        const make = (): Challenger =>
          new Challenger(chain, claimsFor(spec, opts.model, opts.input, c), Store.open<ChallengerState>(file, { role: 'challenger', model: opts.model.ref, checked: {} }), { stopAfterMoves: spec.stopAfterMoves, log }, `challenger ${i + 1}${spec.lie ? ' (lying)' : ''}`);
        return { spec, chain, make, actor: make(), moves: 0, restarted: false };
      }),
    );
    for (const ch of challengers) await ch.actor.consider(id);

    const actors = (): Actor[] => [submitter, ...challengers.map((c) => c.actor)];
    for (let round = 0; round < 10_000; round++) {
      let acted = false;
      for (const a of actors()) acted = (await a.tick()) || acted;
      for (const ch of challengers) {
        const moves = ch.actor.moves;
        if (ch.spec.restartAfterMoves !== undefined && !ch.restarted && moves >= ch.spec.restartAfterMoves) {
          ch.restarted = true;
          ch.actor = ch.make(); // a new process: everything it knows comes from its state file and the chain
          log(`${ch.actor.name}: killed after ${moves} moves and restarted from its state file`);
        }
      }
      const done = await Promise.all(actors().map((a) => a.done()));
      if (done.every(Boolean)) break;
      if (!acted) {
        // Everyone waits on a clock or the challenge window: let time pass.
        await rpc(rpcUrl, 'evm_increaseTime', [params.clockSeconds + 1]);
        await rpc(rpcUrl, 'evm_mine', []);
      }
    }

    // Outcome.
    const problems: string[] = [];
    const s = await subChain.submission(id);
    const disputes: DisputeOutcome[] = [];
    let graphRounds = 0;
    let vmRounds = 0;
    for (const [i, ch] of challengers.entries()) {
      const d = ch.actor.disputes()[0];
      if (d === undefined) continue;
      const v = await subChain.dispute(d);
      disputes.push({ d: d.toString(), challenger: i, winner: SIDE_NAMES[v.winner], reason: REASON_NAMES[v.reason], node: v.node });
      if (v.phase !== Phase.Resolved) problems.push(`dispute ${d} did not end`);
      const honestSide = scenario.honest === 'submitter' ? Side.Submitter : scenario.honest === i ? Side.Challenger : undefined;
      if (honestSide !== undefined && v.winner !== honestSide) problems.push(`dispute ${d}: ${SIDE_NAMES[v.winner]} won, but the ${SIDE_NAMES[honestSide]} was honest`);
      if (scenario.honest !== 'submitter' && scenario.honest !== i && v.winner === Side.Challenger) problems.push(`dispute ${d}: the lying challenger won`);
    }
    if (scenario.honest === 'submitter' && s.status !== SubmissionStatus.Finalized) problems.push(`the honest result ended ${STATUS_NAMES[s.status]}`);
    if (scenario.honest !== 'submitter' && s.status !== SubmissionStatus.Rejected) problems.push(`the wrong result ended ${STATUS_NAMES[s.status]}`);
    for (const g of subChain.gas) if (g.action === 'post graph state') graphRounds++;
    for (const g of subChain.gas) if (g.action === 'post VM state') vmRounds++;

    // Money: the contract holds nothing, and each party's net change is what the rules say.
    const held = await subChain.publicClient.getBalance({ address: deployment.game });
    if (held !== 0n) problems.push(`the game contract still holds ${held} wei`);
    const net = async (chain: GameChain) => (await chain.publicClient.getBalance({ address: chain.address })) + chain.fees - FUNDING;
    const subNet = await net(subChain);
    const chNets = await Promise.all(challengers.map((ch) => net(ch.chain)));
    let expectedSub = 0n;
    disputes.forEach((o) => {
      const expected = o.winner === 'challenger' ? BOND / 2n : o.winner === 'submitter' ? -BOND : 0n; // half the forfeited bond is burned
      if (chNets[o.challenger] !== expected) problems.push(`challenger ${o.challenger + 1} ended with ${chNets[o.challenger]} wei, expected ${expected}`);
      if (o.winner === 'submitter') expectedSub += BOND;
    });
    if (s.status === SubmissionStatus.Rejected) expectedSub -= BOND;
    if (subNet !== expectedSub) problems.push(`the submitter ended with ${subNet} wei, expected ${expectedSub}`);

    const sum = (chain: GameChain) => chain.gas.reduce((a, g) => a + g.gas, 0n).toString();
    const step = [subChain, ...challengers.map((c) => c.chain)].flatMap((ch) => ch.gas).find((g) => g.action === 'resolve step');
    return {
      scenario: scenario.name,
      model: opts.model.ref,
      ok: problems.length === 0,
      problems,
      submissionStatus: STATUS_NAMES[s.status],
      disputes,
      net: { submitter: subNet.toString(), challengers: chNets.map(String) },
      gas: { submitter: sum(subChain), challengers: challengers.map((c) => sum(c.chain)), judgeStep: step?.gas.toString() },
      rounds: { graph: graphRounds, vm: vmRounds },
      wallMillis: Math.round(performance.now() - started),
    };
  } finally {
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
