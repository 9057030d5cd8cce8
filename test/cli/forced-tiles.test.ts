/**
 * The forced moves of a tiled node (cli/game/forcedMoves.ts, docs/GAME.md "Forced moves"): startTiles takes a
 * tiled node's entry (it has no startVM), startTileVM each of its tiles' VM run, postTileStates and respondTile its
 * tile bisection. Their calldata figures are the lengths of the real witnesses' encodings; their gas bounds are
 * above what they cost on a real anvil, for mnist-mlp committed with tileSteps 4096 (fc1 as 32 tiles) and for the
 * dearest tiled node registration accepts (a model of 2^20 nodes written into the registry's storage); that node
 * stays under the caps; and `opml inspect` names startTiles for the tiled node.
 */
import { dissectionRounds } from '../../cli/game/dissection.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { HonestClaims, LyingClaims } from '../../cli/game/claims.ts';
import {
  constantMoveCost,
  disputeGameAbi,
  encodeStartTiles,
  encodeStartTileVM,
  FORCED_MOVE_CALLDATA,
  FORCED_MOVE_GAS,
  forcedMoves,
  registrableWorstModel,
  registrableWorstStartTiles,
  registrableWorstStartTileVM,
  registrableWorstStartVM,
  startTilesCost,
  startTilesExecutionBound,
  startTileVMCost,
  startVMCost,
  transactionGas,
  type ForcedMoves,
} from '../../cli/game/forcedMoves.ts';
import { Arena, injectedModel, syntheticTilesRoot, type MeasuredTx } from '../../cli/game/measureMoves.ts';
import { checkModel } from '../../cli/game/modelChecks.ts';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';

const TILE_STEPS = 4096;
let prepared: PreparedModel;
let c: ModelCommitment;
let input: Int32Array[];
let f: ForcedMoves;

beforeAll(() => {
  prepared = prepareModel('mnist-mlp', undefined, { lowering: { tileSteps: TILE_STEPS } });
  c = modelCommitment(prepared.int, { tileSteps: TILE_STEPS });
  input = parseInput('mnist:0', prepared.int).words;
  f = forcedMoves(c, disputeGameAbi());
}, 300_000);

const nonzeroBytes = (data: string) => (data.slice(2).match(/../g) ?? []).filter((b) => b !== '00').length;

describe('the forced moves of a tiled node (mnist-mlp, tileSteps 4096: fc1 as 32 tiles)', () => {
  it('fc1 enters by startTiles and startTileVM, fc2 by startVM; the tile bisection adds its two constant moves', () => {
    expect(c.nodes.map((n) => n.numTiles)).toEqual([32, 0]);
    expect(f.startVM.map((m) => m.node)).toEqual([1]);
    expect(f.startTiles.map((m) => m.node)).toEqual([0]);
    expect(f.startTileVM.map((m) => m.node)).toEqual([0]);
    expect(f.startTileVM[0].shape).toMatchObject({ numTiles: 32, tileDepth: 5, windowSiblings: 19 - c.nodes[0].windowHeight });
    expect(f.constant.map((m) => m.move)).toEqual(['postGraphStates', 'respondGraph', 'postVMStates', 'respondVM', 'resolveStep', 'timeout', 'settle', 'postTileStates', 'respondTile']);
    const all = [...f.startVM, ...f.startTiles, ...f.startTileVM, ...f.constant];
    expect(f.worst.gas).toBe(Math.max(...all.map((m) => m.gas)));
    expect(f.worstCalldata.calldata).toBe(Math.max(...all.map((m) => m.calldata)));
    expect(f.problems).toEqual([]);
    expect(f.underCaps).toBe(true);
    for (const m of all) expect(m.gas, m.move).toBeGreaterThan(m.execution);
  });

  it('a model with no tiled node has no tile moves', () => {
    const untiled = forcedMoves(modelCommitment(prepareModel('mnist-mlp').int));
    expect(untiled.startTiles).toEqual([]);
    expect(untiled.startTileVM).toEqual([]);
    expect(untiled.constant.map((m) => m.move)).not.toContain('postTileStates');
  });

  it("startTiles' and startTileVM's calldata figures are the lengths of the real witnesses' encodings", () => {
    const honest = new HonestClaims(prepared.int, input, c, undefined, { tileSteps: TILE_STEPS });
    const abi = disputeGameAbi();
    const entry = encodeStartTiles(7n, honest.tileTransition(0), abi);
    expect(f.startTiles[0].calldata).toBe((entry.length - 2) / 2);
    expect(f.startTiles[0].shape.nonzero).toBeGreaterThanOrEqual(nonzeroBytes(entry));
    for (const i of [0, 17, 31]) {
      const data = encodeStartTileVM(7n, honest.tileVM(0, i), abi);
      expect(f.startTileVM[0].calldata, `tile ${i}`).toBe((data.length - 2) / 2);
      expect(f.startTileVM[0].shape.nonzero, `tile ${i}`).toBeGreaterThanOrEqual(nonzeroBytes(data));
    }
  }, 120_000);

  it('the dearest tiled node registration accepts is registrable, and its startTiles and startTileVM are under the caps', () => {
    const { spec, model } = registrableWorstModel(true);
    // The node passes registration's checks (in a one-node model over the same 256 graph inputs).
    expect(checkModel({ nodes: [spec], inputWords: model.inputWords, outputSlot: 0, outputWords: 8 })).toEqual([]);
    const entry = registrableWorstStartTiles();
    expect(entry.shape).toMatchObject({ regions: 32, slotInputs: 32, slotDepth: 21, nodeDepth: 20, outSiblings: 19, graphInputs: 256, composeCalls: 959, composeScans: 528 });
    // The forge test of the same node (DisputeGameForcedMoves.t.sol) encodes the same bytes.
    expect(entry.calldata).toBe(32_420);
    expect(entry.gas).toBeLessThanOrEqual(FORCED_MOVE_GAS);
    expect(entry.calldata).toBeLessThanOrEqual(FORCED_MOVE_CALLDATA);
    // As for startVM: a layout of 32 regions with the most scans (32 · 19) has far fewer calls; both at once fit.
    const loose = startTilesExecutionBound({ ...entry.shape, composeScans: 32 * 19 });
    expect(transactionGas(loose, entry.shape.calldata, entry.shape.nonzero)).toBeLessThanOrEqual(FORCED_MOVE_GAS);
    const tile = registrableWorstStartTileVM();
    expect(tile.shape).toMatchObject({ numTiles: 2 ** 20, tileDepth: 20, windowSiblings: 19, calldata: 2_244 });
    expect(tile.gas).toBeLessThanOrEqual(FORCED_MOVE_GAS);
    // No window lies deeper than one leaf, no tile tree deeper than 2^20 leaves: no startTileVM is dearer.
    expect(tile.gas).toBeGreaterThanOrEqual(Math.max(...f.startTileVM.map((m) => m.gas)));
  });
});

describe('the tile moves cost no more than their bounds on a real chain', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  /** Under the bound; a transition's calldata exactly its (a post or answer near convergence carries fewer states than k − 1). */
  const within = (measured: MeasuredTx, bound: { gas: number; execution: number; calldata: number }, what: string, exact = true) => {
    if (exact) expect(measured.calldata, what).toBe(bound.calldata);
    else expect(measured.calldata, what).toBeLessThanOrEqual(bound.calldata);
    expect(measured.gasUsed, what).toBeLessThanOrEqual(bound.gas);
    expect(measured.execution, what).toBeLessThanOrEqual(bound.execution);
  };

  it('mnist-mlp (tileSteps 4096): startTiles of fc1, its tile bisection and startTileVM of a middle tile', async () => {
    const arena = await Arena.open(anvil.rpcUrl);
    const liar = new LyingClaims(prepared.int, input, { node: 0, vmFrom: 'end', tileFrom: 'middle' }, c, { tileSteps: TILE_STEPS });
    const d = await arena.dispute(c, liar);
    await arena.graphTo(d, 0, (i) => liar.graphState(i));
    const entry = await arena.startTiles(d, liar.tileTransition(0));
    const bound = startTilesCost(c, 0);
    within(entry, bound, 'startTiles');
    // A bound, not a guess: within 25 % of the real cost.
    expect(bound.execution / entry.execution).toBeLessThan(1.25);
    const i = 15; // the liar's first wrong tile state is σ_16
    const moves = await arena.tilesTo(d, i, (k) => liar.tileState(0, k));
    // ceil(log_k 32) rounds of the profile's k-ary dissection, each a post and an answer.
    expect(moves.map((m) => m.action)).toEqual(Array.from({ length: 2 * dissectionRounds(32, arena.params.arity) }, (_, k) => (k % 2 === 0 ? 'postTileStates' : 'respondTile')));
    for (const m of moves) within(m, constantMoveCost(m.action as 'postTileStates' | 'respondTile'), m.action, false);
    const tile = await arena.startTileVM(d, liar.tileVM(0, i));
    const tileBound = startTileVMCost(c, 0);
    within(tile, tileBound, 'startTileVM');
    expect(tileBound.execution / tile.execution).toBeLessThan(1.25);
  }, 300_000);

  it('the dearest node registration accepts (2^20 nodes, 256 graph inputs, 32 slot inputs): startVM, and tiled (2^20 tiles) startTiles and startTileVM of the last tile', async () => {
    const arena = await Arena.open(anvil.rpcUrl);
    for (const tiled of [false, true]) {
      const worst = registrableWorstModel(tiled);
      const last = worst.spec.numTiles - 1;
      // The made-up tile tree holds a real leaf at the last tile (the one played).
      const spec = tiled ? { ...worst.spec, tilesRoot: syntheticTilesRoot(worst.spec.numTiles, last) } : worst.spec;
      // Registration accepts the node itself (a one-node model over the same inputs); the 2^20-node model holding
      // it as node 0 is written into the registry (2^20 specs do not fit a transaction).
      const one = injectedModel(spec, worst.model.inputWords.length, 1, 'one node');
      await arena.sub.register(one.model);
      const { model, world } = injectedModel(spec, worst.model.inputWords.length, worst.model.numNodes, `worst ${tiled}`);
      const d = await arena.disputeOn(await arena.inject(model), model.numNodes, world);
      await arena.graphTo(d, 0, (i) => world.graphState(i));
      if (!tiled) {
        const m = await arena.startVM(d, world.transition(0));
        within(m, registrableWorstStartVM(), 'startVM');
        expect(startVMCost(worst.model, 0).calldata).toBe(m.calldata);
        continue;
      }
      const entry = await arena.startTiles(d, world.tileTransition!(0));
      within(entry, registrableWorstStartTiles(), 'startTiles');
      expect(entry.gasUsed).toBeLessThanOrEqual(FORCED_MOVE_GAS);
      const moves = await arena.tilesTo(d, last, (k) => world.tileState!(0, k));
      expect(moves).toHaveLength(2 * dissectionRounds(2 ** 20, arena.params.arity));
      const tile = await arena.startTileVM(d, world.tileVM!(0, last));
      within(tile, registrableWorstStartTileVM(), 'startTileVM');
    }
  }, 300_000);
});

describe('opml inspect names the tiled node\'s entry startTiles', () => {
  const BIN = path.resolve('bin/opml.js');
  const opml = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  it('--json lists startTiles and startTileVM for fc1 and startVM for fc2 only', () => {
    const r = opml(['inspect', 'mnist-mlp', '--tile-steps', String(TILE_STEPS), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout).forcedMoves;
    expect(j.underCaps).toBe(true);
    expect(j.startVM.map((m: { node: number }) => m.node)).toEqual([1]);
    expect(j.startTiles).toEqual([{ node: 0, name: 'fc1', inputRegions: 1, slotInputs: 1, numTiles: 32, gas: f.startTiles[0].gas, execution: f.startTiles[0].execution, calldata: f.startTiles[0].calldata }]);
    expect(j.startTileVM).toEqual([{ node: 0, name: 'fc1', numTiles: 32, tileSiblings: 5, windowSiblings: f.startTileVM[0].shape.windowSiblings, gas: f.startTileVM[0].gas, execution: f.startTileVM[0].execution, calldata: f.startTileVM[0].calldata }]);
    expect(j.constant.map((m: { move: string }) => m.move)).toEqual(expect.arrayContaining(['postTileStates', 'respondTile']));
    expect(j.worst.gas).toBe(f.worst.gas);
  }, 120_000);

  it('the human report has a startTiles row for fc1, and no startVM row for it', () => {
    const r = opml(['inspect', 'mnist-mlp', '--tile-steps', String(TILE_STEPS)]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^startVM of node\s+input regions \(slot\)\s+gas bound\s+calldata$/m);
    expect(r.stdout).toMatch(/^1 fc2\s/m);
    expect(r.stdout).toMatch(/^startTiles of node\s+input regions \(slot\)\s+tiles\s+gas bound\s+calldata\s+startTileVM gas bound\s+calldata$/m);
    expect(r.stdout).toMatch(new RegExp(`^0 fc1\\s+1 \\(1\\)\\s+32\\s+${f.startTiles[0].gas.toLocaleString('en-US')}\\s+${f.startTiles[0].calldata.toLocaleString('en-US')} B\\s+${f.startTileVM[0].gas.toLocaleString('en-US')}\\s+`, 'm'));
    expect(r.stdout).toMatch(/^other moves: .*postTileStates [\d,]+, respondTile [\d,]+ gas$/m);
    expect(r.stdout).toMatch(/^every forced move is under the caps$/m);
  }, 120_000);
});
