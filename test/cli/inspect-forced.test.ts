/**
 * The forced moves of the zoo models (cli/game/forcedMoves.ts): every one under the caps; startVM's calldata
 * figure is the length of the real transition's encoding; its gas bound is above what startVM really costs on
 * anvil at the widest node, and resolveStep's above a real STORE ruling; and `opml inspect` reports all of it.
 */
import { MAX_ARITY } from '../../cli/game/dissection.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { HonestClaims, LyingClaims } from '../../cli/game/claims.ts';
import {
  assertForcedMovesUnderCaps,
  constantMoveCost,
  disputeGameAbi,
  encodeStartVM,
  FORCED_MOVE_CALLDATA,
  FORCED_MOVE_GAS,
  forcedMoves,
  registrableWorstStartVM,
  startVMCost,
  startVMExecutionBound,
  composeWork,
  transactionGas,
  type ForcedMoves,
} from '../../cli/game/forcedMoves.ts';
import { Arena, firstStepOfOp } from '../../cli/game/measureMoves.ts';
import { longestDispute, PROFILES } from '../../cli/game/params.ts';
import { pickNode } from '../../cli/game/scenarios.ts';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { Op } from '../../vm/isa.ts';

const ZOO = ['mnist-mlp', 'mnist-cnn', 'tiny-transformer'] as const;
const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:0', 'tiny-transformer': 'text:hello world. opm' };

const models = new Map<string, { prepared: PreparedModel; c: ModelCommitment; input: Int32Array[]; f: ForcedMoves }>();

beforeAll(() => {
  const abi = disputeGameAbi();
  for (const name of ZOO) {
    const prepared = prepareModel(name);
    const c = modelCommitment(prepared.int);
    models.set(name, { prepared, c, input: parseInput(INPUT[name], prepared.int).words, f: forcedMoves(c, abi) });
  }
}, 300_000);

describe('forced moves of the zoo models', () => {
  for (const name of ZOO) {
    it(`${name}: the worst forced move is under the caps`, () => {
      const { f, c } = models.get(name)!;
      expect(f.problems).toEqual([]);
      expect(f.underCaps).toBe(true);
      expect(() => assertForcedMovesUnderCaps(f)).not.toThrow();
      expect(f.worst.gas).toBeLessThanOrEqual(FORCED_MOVE_GAS);
      expect(f.worstCalldata.calldata).toBeLessThanOrEqual(FORCED_MOVE_CALLDATA);
      // The worst is the largest of all: one startVM per node and the seven constant moves.
      expect(f.startVM).toHaveLength(c.numNodes);
      expect(f.worst.gas).toBe(Math.max(...f.startVM.map((m) => m.gas), ...f.constant.map((m) => m.gas)));
      for (const m of f.startVM) expect(m.gas).toBeGreaterThan(m.execution);
    });

    it(`${name}: startVM's calldata figure is the length of the real transition's encoding, node by node`, () => {
      const { prepared, c, input, f } = models.get(name)!;
      const honest = new HonestClaims(prepared.int, input, c);
      const abi = disputeGameAbi();
      for (let j = 0; j < c.numNodes; j++) {
        const data = encodeStartVM(7n, honest.transition(j), abi);
        expect(f.startVM[j].calldata, `node ${j}`).toBe((data.length - 2) / 2);
        // The bound's calldata cost counts at least as many nonzero bytes as the real one has.
        const nonzero = (data.slice(2).match(/../g) ?? []).filter((b) => b !== '00').length;
        expect(f.startVM[j].shape.nonzero, `node ${j}`).toBeGreaterThanOrEqual(nonzero);
      }
    }, 300_000);
  }

  it('startVM of the dearest node registration accepts (32 slot inputs, D = 21, N = 20, 256 graph inputs) is under the caps', () => {
    const w = registrableWorstStartVM();
    expect(w.shape).toMatchObject({ regions: 32, slotInputs: 32, slotDepth: 21, nodeDepth: 20, outSiblings: 19, graphInputs: 256, composeCalls: 959, composeScans: 528 });
    expect(w.gas).toBeLessThanOrEqual(FORCED_MOVE_GAS);
    expect(w.calldata).toBeLessThanOrEqual(FORCED_MOVE_CALLDATA);
    // No layout of 32 regions has more calls; one with more scans (at most 32 · 19) has far fewer calls, and
    // even the most of both at once fits.
    const loose = startVMExecutionBound({ ...w.shape, composeScans: 32 * 19 });
    expect(transactionGas(loose, w.shape.calldata, w.shape.nonzero)).toBeLessThanOrEqual(FORCED_MOVE_GAS);
    expect(composeWork(Array.from({ length: 32 }, (_, i) => ({ base: 8 * i, height: 0 })))).toEqual({ calls: 91, scans: 528 });
  });

  it('the constant moves: resolveStep carries 2,052 bytes (CODE_DEPTH + MEM_DEPTH siblings), a post k − 1 states, an answer them and the part', () => {
    const calldata = (arity: number) => Object.fromEntries(['postGraphStates', 'respondGraph', 'postVMStates', 'respondVM', 'resolveStep', 'timeout', 'settle'].map((m) => [m, constantMoveCost(m as never, undefined, arity).calldata]));
    // selector 4, d 32, the array's offset and length 64, 32 per state (and the answer's part 32).
    expect(calldata(2)).toEqual({ postGraphStates: 132, respondGraph: 164, postVMStates: 132, respondVM: 164, resolveStep: 2052, timeout: 36, settle: 36 });
    expect(calldata(16)).toEqual({ postGraphStates: 580, respondGraph: 612, postVMStates: 580, respondVM: 612, resolveStep: 2052, timeout: 36, settle: 36 });
    // Every arity a deployment may have keeps the posts and answers far under the caps.
    for (const move of ['postGraphStates', 'respondVM'] as const) {
      const most = constantMoveCost(move, undefined, MAX_ARITY);
      expect(most.gas).toBeLessThan(FORCED_MOVE_GAS / 10);
      expect(most.calldata).toBeLessThan(FORCED_MOVE_CALLDATA / 16);
    }
  });

  it('the transaction bound takes the EIP-7623 calldata floor when it is higher', () => {
    expect(transactionGas(100_000, 1000, 1000)).toBe(21_000 + 16_000 + 100_000);
    expect(transactionGas(0, 1000, 1000)).toBe(21_000 + 40_000);
  });
});

describe('the bounds hold on a real chain', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it('startVM of the widest node of each zoo model costs no more than its bound', async () => {
    const arena = await Arena.open(anvil.rpcUrl);
    for (const name of ZOO) {
      const { prepared, c, input } = models.get(name)!;
      const j = pickNode('widest', c.numNodes, c.nodes.map((n) => n.inputs.length));
      const liar = new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end' }, c);
      const d = await arena.dispute(c, liar);
      await arena.graphTo(d, j, (i) => liar.graphState(i));
      const measured = await arena.startVM(d, liar.transition(j));
      const bound = startVMCost(c, j);
      expect(measured.calldata, `${name} node ${j}`).toBe(bound.calldata);
      expect(measured.gasUsed, `${name} node ${j}`).toBeLessThanOrEqual(bound.gas);
      expect(measured.execution, `${name} node ${j}`).toBeLessThanOrEqual(bound.execution);
      // A bound, not a guess: within 25 % of the real cost.
      expect(bound.execution / measured.execution, `${name} node ${j}`).toBeLessThan(1.25);
    }
  }, 300_000);

  it("resolveStep of a STORE step (the judge's dearest) that rejects the result costs no more than its bound", async () => {
    // A fresh game: the ruling is the first to credit the challenger, reject a submission and burn (its dearest path).
    const arena = await Arena.open(anvil.rpcUrl);
    const { prepared, c, input } = models.get('mnist-mlp')!;
    const j = c.numNodes - 1;
    const honest = new HonestClaims(prepared.int, input, c);
    const liar = new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end' }, c);
    const k = firstStepOfOp(prepared.int, input, j).get(Op.STORE)!;
    expect(k).toBeDefined();
    const d = await arena.dispute(c, liar);
    await arena.graphTo(d, j, (i) => liar.graphState(i));
    await arena.startVM(d, liar.transition(j));
    await arena.vmTo(d, k, (s) => honest.vmState(j, s));
    const measured = await arena.resolveStep(d, honest.witness(j, k));
    const bound = constantMoveCost('resolveStep');
    expect(measured.calldata).toBe(bound.calldata);
    expect(measured.gasUsed).toBeLessThanOrEqual(bound.gas);
    expect(measured.execution).toBeLessThanOrEqual(bound.execution);
  }, 300_000);
});

describe('opml inspect reports the forced moves and the longest dispute', () => {
  const BIN = path.resolve('bin/opml.js');
  const opml = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  it('--json keeps its fields and adds forcedMoves and longestDispute', () => {
    const r = opml(['inspect', 'mnist-mlp', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['model', 'inputs', 'nodes', 'forcedMoves', 'longestDispute']));
    expect(Object.keys(j.nodes[0])).toEqual(['name', 'op', 'inputs', 'output', 'steps', 'codeSize', 'memoryWords']);
    const { c, f } = models.get('mnist-mlp')!;
    expect(j.forcedMoves.underCaps).toBe(true);
    expect(j.forcedMoves.caps).toEqual({ gas: FORCED_MOVE_GAS, calldata: FORCED_MOVE_CALLDATA });
    expect(j.forcedMoves.startVM.map((m: { calldata: number }) => m.calldata)).toEqual(f.startVM.map((m) => m.calldata));
    expect(j.forcedMoves.startVM.map((m: { gas: number }) => m.gas)).toEqual(f.startVM.map((m) => m.gas));
    expect(j.forcedMoves.worst.gas).toBe(f.worst.gas);
    expect(j.longestDispute.map((x: { profile: string }) => x.profile)).toEqual(PROFILES.map((p) => p.name));
    for (const p of PROFILES) {
      const want = longestDispute(c, p.params);
      expect(j.longestDispute.find((x: { profile: string }) => x.profile === p.name)).toMatchObject({ ...want, arity: p.params.arity });
    }
  }, 120_000);

  it('the human report has the node table, then the forced moves and the longest dispute', () => {
    const r = opml(['inspect', 'mnist-mlp']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/#\s+node\s+op\s+inputs\s+output\s+VM steps\s+code\s+memory/);
    expect(r.stdout).toMatch(/^forced moves \(caps: 2,000,000 gas, 65,536 bytes/m);
    expect(r.stdout).toMatch(/^startVM of node\s+input regions \(slot\)\s+gas bound\s+calldata/m);
    expect(r.stdout).toMatch(/^worst forced move: /m);
    expect(r.stdout).toMatch(/^every forced move is under the caps$/m);
    expect(r.stdout).toMatch(/^longest dispute/m);
    for (const p of PROFILES) expect(r.stdout).toMatch(new RegExp(`^${p.name}\\s+${p.params.arity}\\s+\\d+\\s+[\\d,]+ s`, 'm'));
  }, 120_000);
});
