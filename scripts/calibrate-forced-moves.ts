/**
 * Measures the forced moves on anvil, the data behind cli/game/forcedMoves.ts (STARTVM_GAS, STARTTILES_GAS,
 * STARTTILEVM_GAS, CONSTANT_EXECUTION_MEASURED): startVM of every node of every zoo model, played for real (a
 * submitter lying at that node, an honest challenger), startVM of synthetic registered models over a grid of
 * shapes, and the constant moves on their dearest paths (resolveStep of a STORE, LOAD and MAC step that rejects
 * the submission and splits its bond, timeout likewise, settle into an empty credit). Tiled nodes (phase `tiles`):
 * startTiles and startTileVM of every tiled node of the zoo models committed with a small tile bound (played for
 * real), of synthetic tiled models over a grid of shapes, tile counts (up to 2^20) and window heights, and
 * postTileStates / respondTile / timeout in the tile phase on their dearest paths. Phase `registrable`: startVM,
 * startTiles and startTileVM of the dearest node registration accepts (2^20 nodes, 256 graph inputs, 32 spread
 * slot inputs; tiled: 2^20 tiles, a one-leaf window), its model written into the registry's storage.
 *
 *   npx tsx scripts/calibrate-forced-moves.ts [out.json] [--quick] [--phases=zoo,synthetic,constants,extrapolation,tiles,registrable]
 *
 * Writes every sample (shape and measured execution gas) as JSON; scripts/fit-forced-moves.py fits STARTVM_GAS,
 * STARTTILES_GAS and STARTTILEVM_GAS from it, and with the coefficients in place this script prints bound /
 * measured for every sample.
 */
import { writeFileSync } from 'node:fs';
import { encodeFunctionData, hexToBytes, keccak256, toHex, type Hex } from 'viem';
import { loadArtifact } from '../cli/chain/artifacts.ts';
import { toAbiState } from '../cli/chain/judgeAbi.ts';
import { nodeLeaf, toAbiNodeSpec } from '../models/int/commitment.ts';
import { computeRoot, MerkleTree } from '../vm/merkle.ts';
import { MEM_DEPTH } from '../vm/isa.ts';
import { startAnvil } from '../cli/chain/anvil.ts';
import { HonestClaims, LyingClaims } from '../cli/game/claims.ts';
import {
  CONSTANT_MOVES,
  constantMoveCost,
  disputeGameAbi,
  registrableWorstModel,
  startTilesCost,
  startTilesExecutionBound,
  startTileVMCost,
  startTileVMExecutionBound,
  startTileVMShape,
  startVMCost,
  startVMExecutionBound,
  startVMShape,
  TILE_CONSTANT_MOVES,
  transactionGas,
  type StartTileVMShape,
  type StartVMShape,
} from '../cli/game/forcedMoves.ts';
import { Arena, firstStepOfOp, freeWindow, injectedModel, syntheticModel, syntheticTilesRoot, syntheticWorld, type MeasuredTx, type WideNode, type World } from '../cli/game/measureMoves.ts';
import type { ModelCommitment, NodeSpec } from '../models/int/commitment.ts';
import { parseInput } from '../cli/inputs.ts';
import { modelCommitment } from '../models/int/commitment.ts';
import { prepareModel } from '../models/prepare.ts';
import { profile } from '../cli/game/params.ts';
import { Op } from '../vm/isa.ts';
import { ceilLog2 } from '../vm/merkle.ts';

const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'forced-moves-calibration.json';
const quick = process.argv.includes('--quick');
const phaseArg = process.argv.find((a) => a.startsWith('--phases='));
const phases = new Set((phaseArg?.slice('--phases='.length) ?? 'zoo,synthetic,constants,extrapolation,tiles,registrable').split(','));
const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:0', 'tiny-transformer': 'text:hello world. opm' };

interface Sample {
  source: string;
  shape: StartVMShape;
  measured: MeasuredTx;
  bound: number;
}

interface TileVMSample {
  source: string;
  shape: StartTileVMShape;
  measured: MeasuredTx;
  bound: number;
}

const abi = disputeGameAbi();
const anvil = await startAnvil({ blockGasLimit: 1_000_000_000n });
const samples: Sample[] = [];
/** startTiles: the same features as startVM's (startVMShape of the TileEntryProof). */
const tileSamples: Sample[] = [];
const tileVMSamples: TileVMSample[] = [];
const constants: Record<string, MeasuredTx[]> = {};
const extrapolation: Record<string, unknown>[] = [];
const registrable: Record<string, unknown>[] = [];
const keep = (m: MeasuredTx) => (constants[m.action] ??= []).push(m);
const t0 = performance.now();
/** Write what was measured so far (every phase ends with a save: a failure later loses nothing). */
function save() {
  const summary = Object.fromEntries(
    Object.entries(constants).map(([k, ms]) => [k, { count: ms.length, maxExecution: Math.max(...ms.map((m) => m.execution)), maxGasUsed: Math.max(...ms.map((m) => m.gasUsed)), maxCalldata: Math.max(...ms.map((m) => m.calldata)) }]),
  );
  writeFileSync(out, JSON.stringify({ samples, tiles: tileSamples, tileVM: tileVMSamples, constants: summary, extrapolation, registrable }, null, 1));
  return summary;
}
const log = (s: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${s}\n`);

try {
  // ---- the zoo, played for real --------------------------------------------------------------------------
  let arena = await Arena.open(anvil.rpcUrl);
  for (const name of !phases.has('zoo') ? [] : quick ? ['mnist-mlp'] : ['mnist-mlp', 'mnist-cnn', 'tiny-transformer']) {
    const prepared = prepareModel(name);
    const c = modelCommitment(prepared.int);
    const input = parseInput(INPUT[name], prepared.int).words;
    for (let j = 0; j < c.numNodes; j++) {
      const liar = new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end' }, c);
      const d = await arena.dispute(c, liar);
      (await arena.graphTo(d, j, (i) => liar.graphState(i))).forEach(keep);
      const m = await arena.startVM(d, liar.transition(j));
      const shape = startVMShape(c, j, abi);
      samples.push({ source: `${name} node ${j}`, shape, measured: m, bound: startVMExecutionBound(shape) });
      log(`${name} node ${j}: startVM ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes`);
    }
  }

  // ---- synthetic shapes ----------------------------------------------------------------------------------
  const shapes: { inputs: number; nodes: number; wide: WideNode }[] = [];
  const { rng, pick } = xorshift(0x9e3779b9);
  // Extremes first: the widest node registration accepts, packed and spread, with the deepest trees we register.
  for (const spreadLog of [0, 14]) {
    for (const outHeight of [0, 18]) shapes.push({ inputs: 256, nodes: 256, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog, outHeight } });
  }
  shapes.push({ inputs: 1, nodes: 2, wide: { slotInputs: 1, constInputs: 0, constHeight: 0, spreadLog: 0, outHeight: 0 } });
  shapes.push({ inputs: 1, nodes: 2, wide: { slotInputs: 0, constInputs: 1, constHeight: 0, spreadLog: 0, outHeight: 0 } });
  shapes.push({ inputs: 256, nodes: 2, wide: { slotInputs: 0, constInputs: 32, constHeight: 0, spreadLog: 14, outHeight: 0 } });
  shapes.push({ inputs: 1, nodes: 300, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog: 14, outHeight: 0 } });
  // The deepest trees we register here: D = 11 and 12 (1,100 and 1,800 nodes).
  if (!quick) {
    for (const spreadLog of [0, 14]) shapes.push({ inputs: 256, nodes: 1800, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog, outHeight: 0 } });
    shapes.push({ inputs: 1, nodes: 1100, wide: { slotInputs: 16, constInputs: 16, constHeight: 3, spreadLog: 8, outHeight: 5 } });
  }
  for (let i = 0; i < (quick ? 6 : 70); i++) {
    const inputs = pick([1, 2, 8, 16, 64, 128, 256]);
    const nodes = pick([2, 3, 8, 33, 64, 130, 256]);
    const n = 1 + rng(32);
    const slotInputs = Math.min(n, inputs + nodes - 2, pick([0, 1, 2, 4, 8, 16, 32, n]));
    const constHeight = pick([0, 0, 3, 10]);
    const spreadLog = Math.min(pick([0, 0, 2, 8, 14]), Math.max(0, 19 - Math.ceil(Math.log2(n)) - 0));
    const strideLog = Math.max(spreadLog, constHeight);
    if (n * 2 ** strideLog > 2 ** 19) continue;
    shapes.push({ inputs, nodes, wide: { slotInputs, constInputs: n - slotInputs, constHeight, spreadLog, outHeight: pick([0, 3, 9, 18]) } });
  }
  for (const [i, s] of phases.has('synthetic') ? shapes.entries() : []) {
    // A fresh game now and then keeps every dispute inside its clocks however long the registrations take.
    if (i % 20 === 0) arena = await Arena.open(anvil.rpcUrl);
    const c = syntheticModel(s.inputs, s.nodes, s.wide, `shape ${i}`);
    const world = syntheticWorld(c, `shape ${i}`);
    const j = s.nodes - 2;
    const d = await arena.dispute(c, world);
    (await arena.graphTo(d, j, (k) => world.graphState(k))).forEach(keep);
    const m = await arena.startVM(d, world.transition(j));
    const shape = startVMShape(c, j, abi);
    samples.push({ source: `synthetic ${JSON.stringify(s)}`, shape, measured: m, bound: startVMExecutionBound(shape) });
    log(`synthetic ${i}: ${JSON.stringify(s)}: startVM ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes`);
  }

  save();
  // ---- the constant moves, each on its dearest path ------------------------------------------------------
  if (phases.has('constants')) {
  const { prepared, c, input, honest, j, liar } = mlpNode1();
  // The first step of node j running each of these instructions.
  const firstOf = firstStepOfOp(prepared.int, input, j);
  for (const op of [Op.STORE, Op.LOAD, Op.MAC]) {
    const k = firstOf.get(op);
    if (k === undefined) continue;
    // A fresh game: this ruling is the first to credit the challenger, reject a submission and burn.
    arena = await Arena.open(anvil.rpcUrl);
    const d = await arena.dispute(c, liar);
    (await arena.graphTo(d, j, (i) => liar.graphState(i))).forEach(keep);
    keep(await arena.startVM(d, liar.transition(j)));
    (await arena.vmTo(d, k, (s) => honest.vmState(j, s))).forEach(keep);
    const m = await arena.resolveStep(d, honest.witness(j, k));
    keep({ ...m, action: `resolveStep` });
    log(`resolveStep (op ${op}, step ${k}): ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes`);
  }
  arena = await Arena.open(anvil.rpcUrl);
  const d = await arena.dispute(c, liar);
  const t = await arena.timeout(d);
  keep(t);
  keep(await arena.settle(d));
  // A timeout in the VM phase (the VM bisection's state in storage) and one in the graph phase after a move.
  arena = await Arena.open(anvil.rpcUrl);
  const d2 = await arena.dispute(c, liar);
  (await arena.graphTo(d2, j, (i) => liar.graphState(i))).forEach(keep);
  keep(await arena.startVM(d2, liar.transition(j)));
  keep(await arena.timeout(d2));
  keep(await arena.settle(d2));
  save();
  }

  // ---- beyond what registers here: up to D = 21 and N = 20 -------------------------------------------------
  // TransitionVerifier.verify is pure: called directly with a Model of 2^20 nodes (never registered) it costs
  // what it would inside startVM. What startVM adds around it (the game's reads, the copy of the witness into the
  // call, the bisection's writes) is measured at D = 9 and D = 12, where both are measurable, and extrapolated
  // linearly in the calldata size: the estimate of a real startVM at D = 21 must stay under the bound.
  if (phases.has('extrapolation')) {
    arena = await Arena.open(anvil.rpcUrl);
    const verifier = await arena.sub.read<Hex>('transitionVerifier');
    for (const spreadLog of [0, 14]) {
      const wide: WideNode = { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog, outHeight: 0 };
      const points = [];
      for (const nodes of [256, 1800]) {
        const c = syntheticModel(256, nodes, wide, `extrapolation ${nodes} ${spreadLog}`);
        const world = syntheticWorld(c, `extrapolation ${nodes}`);
        const d = await arena.dispute(c, world);
        await arena.graphTo(d, nodes - 2, (k) => world.graphState(k));
        const full = await arena.startVM(d, world.transition(nodes - 2));
        const alone = await verifyGas(arena, verifier, 256, nodes, wide);
        points.push({ nodes, calldata: full.calldata, full: full.execution, verify: alone.execution, overhead: full.execution - alone.execution });
      }
      const perByte = (points[1].overhead - points[0].overhead) / (points[1].calldata - points[0].calldata);
      const far = await verifyGas(arena, verifier, 256, 2 ** 20, wide);
      const estimate = Math.ceil(far.execution + points[1].overhead + Math.max(0, perByte) * (far.shape.calldata - points[1].calldata));
      const bound = startVMExecutionBound(far.shape);
      const total = { estimate: transactionGas(estimate, far.shape.calldata, far.shape.nonzero), bound: transactionGas(bound, far.shape.calldata, far.shape.nonzero) };
      extrapolation.push({ spreadLog, points, overheadPerByte: perByte, at: { inputs: 256, nodes: 2 ** 20, slotDepth: far.shape.slotDepth, nodeDepth: far.shape.nodeDepth, calldata: far.shape.calldata, nonzero: far.shape.nonzero }, verifyAlone: far.execution, estimatedExecution: estimate, boundExecution: bound, estimatedTransaction: total.estimate, boundTransaction: total.bound });
      log(`D = 21, 32 slot inputs, spread ${spreadLog}: startVM estimated ${estimate} execution gas (${total.estimate} in all), bound ${bound} (${total.bound}); overhead ${points.map((p) => p.overhead).join(' -> ')} (+${perByte.toFixed(2)} per byte); ${far.shape.calldata} bytes`);
    }
  }
  // ---- posts and answers as k grows: what each state beyond the first adds (PER_STATE_EXECUTION) -------------
  if (phases.has('arity')) await arities();

  // ---- tiled nodes: startTiles, the tile bisection, startTileVM -----------------------------------------------
  if (phases.has('tiles')) await tiles();

  // ---- the dearest node registration accepts, its model written into the registry ---------------------------
  if (phases.has('registrable')) await registrableWorst();
} finally {
  await anvil.stop();
}

const summary = save();
log(JSON.stringify(summary, null, 1));
const range = (xs: { bound: number; measured: MeasuredTx }[]) => {
  const r = xs.map((s) => s.bound / s.measured.execution);
  return `${xs.length} samples, bound/measured execution from ${Math.min(...r).toFixed(3)} to ${Math.max(...r).toFixed(3)}`;
};
if (samples.length > 0) log(`startVM: ${range(samples)}`);
if (tileSamples.length > 0) log(`startTiles: ${range(tileSamples)}`);
if (tileVMSamples.length > 0) log(`startTileVM: ${range(tileVMSamples)}`);
for (const m of [...CONSTANT_MOVES, ...TILE_CONSTANT_MOVES]) log(`${m}: bound ${JSON.stringify(constantMoveCost(m, abi))}`);
log(`wrote ${out}`);

/** startTiles of tiled node j of the world's model (the dispute at node j), then the tile bisection to tile i and startTileVM. */
async function playTiles(arena: Arena, source: string, c: Pick<ModelCommitment, 'nodes' | 'numNodes' | 'inputWords'>, d: bigint, j: number, i: number, world: World): Promise<void> {
  const entry = await arena.startTiles(d, world.tileTransition!(j));
  const shape = startVMShape(c, j, abi, 'startTiles');
  tileSamples.push({ source, shape, measured: entry, bound: startTilesExecutionBound(shape) });
  (await arena.tilesTo(d, i, (k) => world.tileState!(j, k))).forEach(keep);
  const m = await arena.startTileVM(d, world.tileVM!(j, i));
  const vmShape = startTileVMShape(c, j, abi);
  tileVMSamples.push({ source: `${source} tile ${i}`, shape: vmShape, measured: m, bound: startTileVMExecutionBound(vmShape) });
  log(`${source}: startTiles ${entry.gasUsed} gas (execution ${entry.execution}), ${entry.calldata} bytes; tile ${i} of ${c.nodes[j].numTiles}: startTileVM ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes`);
}

async function tiles(): Promise<void> {
  // The zoo, with a tile bound small enough that its big nodes are tiled: every tiled node played for real.
  const variants: [string, number][] = quick ? [['mnist-mlp', 4096]] : [['mnist-mlp', 4096], ['mnist-cnn', 4096], ['tiny-transformer', 4096]];
  let arena = await Arena.open(anvil.rpcUrl);
  for (const [name, tileSteps] of variants) {
    const prepared = prepareModel(name, undefined, { lowering: { tileSteps } });
    const c = modelCommitment(prepared.int, { tileSteps });
    const input = parseInput(INPUT[name], prepared.int).words;
    for (let j = 0; j < c.numNodes; j++) {
      const m = c.nodes[j].numTiles;
      if (m === 0) continue;
      for (const tileFrom of m === 1 ? (['last'] as const) : name === 'mnist-mlp' ? (['first', 'middle', 'last'] as const) : (['middle'] as const)) {
        arena = await Arena.open(anvil.rpcUrl);
        const liar = new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end', tileFrom }, c, { tileSteps });
        const i = tileFrom === 'first' ? 0 : tileFrom === 'middle' ? Math.floor((m - 1) / 2) : m - 1;
        const d = await arena.dispute(c, liar);
        (await arena.graphTo(d, j, (k) => liar.graphState(k))).forEach(keep);
        await playTiles(arena, `${name} (tile steps ${tileSteps}) node ${j}`, c, d, j, i, liar);
      }
    }
  }

  // Synthetic tiled models: the startVM grid's extremes tiled, then random shapes, tile counts and windows.
  const { rng, pick } = xorshift(0x2545f491);
  const shapes: { inputs: number; nodes: number; wide: WideNode }[] = [];
  const MAX = { numTiles: 2 ** 20, windowHeight: 0 };
  for (const spreadLog of [0, 14]) {
    for (const outHeight of [0, 18]) shapes.push({ inputs: 256, nodes: 256, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog, outHeight, tiles: MAX } });
  }
  shapes.push({ inputs: 1, nodes: 2, wide: { slotInputs: 1, constInputs: 0, constHeight: 0, spreadLog: 0, outHeight: 0, tiles: { numTiles: 1, windowHeight: 0 } } });
  shapes.push({ inputs: 1, nodes: 2, wide: { slotInputs: 0, constInputs: 1, constHeight: 0, spreadLog: 0, outHeight: 0, tiles: { numTiles: 2, windowHeight: 12, tile: 0 } } });
  shapes.push({ inputs: 256, nodes: 2, wide: { slotInputs: 0, constInputs: 32, constHeight: 0, spreadLog: 14, outHeight: 0, tiles: { numTiles: 3, windowHeight: 3, tile: 1 } } });
  shapes.push({ inputs: 1, nodes: 300, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog: 14, outHeight: 0, tiles: MAX } });
  if (!quick) {
    for (const spreadLog of [0, 14]) shapes.push({ inputs: 256, nodes: 1800, wide: { slotInputs: 32, constInputs: 0, constHeight: 0, spreadLog, outHeight: 0, tiles: MAX } });
    shapes.push({ inputs: 1, nodes: 1100, wide: { slotInputs: 16, constInputs: 16, constHeight: 3, spreadLog: 8, outHeight: 5, tiles: { numTiles: 1000, windowHeight: 8, tile: 0 } } });
  }
  for (let k = 0; k < (quick ? 6 : 60); k++) {
    const inputs = pick([1, 2, 8, 16, 64, 128, 256]);
    const nodes = pick([2, 3, 8, 33, 64, 130, 256]);
    const n = 1 + rng(32);
    const slotInputs = Math.min(n, inputs + nodes - 2, pick([0, 1, 2, 4, 8, 16, 32, n]));
    const constHeight = pick([0, 0, 3, 10]);
    const spreadLog = Math.min(pick([0, 0, 2, 8, 14]), Math.max(0, 19 - Math.ceil(Math.log2(n)) - 0));
    const strideLog = Math.max(spreadLog, constHeight);
    if (n * 2 ** strideLog > 2 ** 19) continue;
    const outHeight = pick([0, 3, 9, 18]);
    const numTiles = pick([1, 2, 3, 5, 32, 100, 1000, 4096, 2 ** 20]);
    const regions = [...Array.from({ length: n }, (_, i) => ({ base: i * 8 * 2 ** strideLog, height: i < slotInputs ? 0 : constHeight })), { base: 0, height: outHeight }];
    let windowHeight = pick([0, 0, 3, 8, 12]);
    while (windowHeight > 0 && freeWindow(regions, windowHeight) === undefined) windowHeight--;
    if (freeWindow(regions, windowHeight) === undefined) continue;
    const tile = pick([0, numTiles - 1, Math.floor(numTiles / 2), rng(numTiles)]);
    shapes.push({ inputs, nodes, wide: { slotInputs, constInputs: n - slotInputs, constHeight, spreadLog, outHeight, tiles: { numTiles, windowHeight, tile } } });
  }
  for (const [k, s] of shapes.entries()) {
    if (k % 20 === 0) arena = await Arena.open(anvil.rpcUrl);
    const c = syntheticModel(s.inputs, s.nodes, s.wide, `tiled shape ${k}`);
    const world = syntheticWorld(c, `tiled shape ${k}`);
    const j = s.nodes - 2;
    const d = await arena.dispute(c, world);
    (await arena.graphTo(d, j, (i) => world.graphState(i))).forEach(keep);
    await playTiles(arena, `synthetic ${JSON.stringify(s)}`, c, d, j, s.wide.tiles!.tile ?? s.wide.tiles!.numTiles - 1, world);
  }
  save();

  // The tile phase's constant moves on their dearest paths: in a one-node model (no graph round before it), the
  // dispute's first post is postTileStates, which writes the bisection's posted hash for the first time; answers
  // both ways; a timeout in the tile phase (the submitter's clock, then the challenger's), and settle after it.
  for (const agree of [true, false]) {
    for (const timeoutOn of ['submitter', 'challenger'] as const) {
      arena = await Arena.open(anvil.rpcUrl);
      const wide: WideNode = { slotInputs: 1, constInputs: 0, constHeight: 0, spreadLog: 0, outHeight: 0, tiles: { numTiles: 8, windowHeight: 0 } };
      const spec = syntheticModel(1, 2, wide, 'one node').nodes[0];
      const { model, world } = injectedModel(spec, 1, 1, `one node ${agree} ${timeoutOn}`);
      await arena.sub.register(model);
      const d = await arena.disputeOn(model.modelId, 1, world);
      keep(await arena.startTiles(d, world.tileTransition!(0)));
      const posted = [world.tileState!(0, 4)]; // k = 2: the one inner position of [0, 8]
      keep(await arena.postTileStates(d, posted));
      if (timeoutOn === 'submitter') keep(await arena.respondTile(d, agree ? 1 : 0, posted));
      keep(await arena.timeout(d));
      if (timeoutOn === 'submitter') keep(await arena.settle(d));
      log(`tile phase, one node (agree ${agree}, timeout on the ${timeoutOn}): ${JSON.stringify(Object.fromEntries(Object.entries(constants).map(([k, ms]) => [k, ms[ms.length - 1].execution])))}`);
    }
  }
  save();
}

/** A seeded xorshift32: rng(n) in [0, n), pick(xs) one of xs (the grids' random shapes, the same every run). */
function xorshift(seed: number) {
  let x = seed;
  const rng = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  return { rng, pick: <T>(xs: readonly T[]): T => xs[rng(xs.length)] };
}

/** mnist-mlp on mnist:0 with a submitter lying at node 1 from its last VM step, and the honest claims. */
function mlpNode1() {
  const prepared = prepareModel('mnist-mlp');
  const c = modelCommitment(prepared.int);
  const input = parseInput('mnist:0', prepared.int).words;
  const j = 1;
  return { prepared, c, input, j, honest: new HonestClaims(prepared.int, input, c), liar: new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end' }, c) };
}

/**
 * Posts and answers at k = 2 .. 64, in a dispute of mnist-mlp's node 1 played to a VM step in the middle of its run
 * (the VM phase's first cut has k parts at every k, and its answers name middle parts, the dearest): the largest execution gas of each per k, and the slope per state between
 * consecutive k, which PER_STATE_EXECUTION must cover.
 */
async function arities(): Promise<void> {
  const { c, honest, j, liar } = mlpNode1();
  // A step in the middle of the run: at k >= 3 the answers name middle parts, which write both ends' hashes.
  const k = Math.floor(c.nodes[j].steps / 2) + 1;
  const rows: { arity: number; post: number; respond: number }[] = [];
  for (const arity of [2, 3, 4, 8, 16, 32, 64]) {
    const arena = await Arena.open(anvil.rpcUrl, { ...profile('devnet').params, arity });
    const d = await arena.dispute(c, liar);
    const graph = await arena.graphTo(d, j, (i) => liar.graphState(i));
    await arena.startVM(d, liar.transition(j));
    const vm = await arena.vmTo(d, k, (s) => honest.vmState(j, s));
    const moves = [...graph, ...vm];
    moves.forEach((m) => (constants[`${m.action}@${arity}`] ??= []).push(m));
    const most = (what: string) => Math.max(...moves.filter((m) => m.action.startsWith(what)).map((m) => m.execution));
    rows.push({ arity, post: most('post'), respond: most('respond') });
    log(`k = ${arity}: post ${rows.at(-1)!.post}, respond ${rows.at(-1)!.respond} execution gas (${graph.length / 2} graph + ${vm.length / 2} VM rounds)`);
  }
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    log(`k ${a.arity} -> ${b.arity}: post +${((b.post - a.post) / (b.arity - a.arity)).toFixed(1)}, respond +${((b.respond - a.respond) / (b.arity - a.arity)).toFixed(1)} per state`);
  }
  save();
}

/**
 * The dearest node registration accepts (registrableWorstModel), untiled and tiled, in a model of 2^20 nodes and
 * 256 graph inputs written into the registry (each spec first registered on its own, as a one-node model, to show
 * registration accepts it): startVM, startTiles, and startTileVM of the last of 2^20 tiles, each against its bound.
 */
async function registrableWorst(): Promise<void> {
  const arena = await Arena.open(anvil.rpcUrl);
  for (const tiled of [false, true]) {
    const worst = registrableWorstModel(tiled);
    const last = worst.spec.numTiles - 1;
    const spec: NodeSpec = tiled ? { ...worst.spec, tilesRoot: syntheticTilesRoot(worst.spec.numTiles, last) } : worst.spec;
    const one = injectedModel(spec, worst.model.inputWords.length, 1, 'registrable one');
    await arena.sub.register(one.model);
    const { model, world } = injectedModel(spec, worst.model.inputWords.length, worst.model.numNodes, `registrable ${tiled}`);
    const id = await arena.inject(model);
    const d = await arena.disputeOn(id, model.numNodes, world);
    await arena.graphTo(d, 0, (i) => world.graphState(i));
    const row: Record<string, unknown> = { tiled };
    if (!tiled) {
      const m = await arena.startVM(d, world.transition(0));
      const bound = startVMCost(worst.model, 0, abi);
      samples.push({ source: 'registrable worst', shape: bound.shape, measured: m, bound: bound.execution });
      Object.assign(row, { startVM: { measured: m, bound } });
      log(`registrable worst startVM: ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes; bound ${bound.gas} (execution ${bound.execution}), ${bound.calldata} bytes`);
    } else {
      const entry = await arena.startTiles(d, world.tileTransition!(0));
      const bound = startTilesCost(worst.model, 0, abi);
      tileSamples.push({ source: 'registrable worst', shape: bound.shape, measured: entry, bound: bound.execution });
      (await arena.tilesTo(d, last, (k) => world.tileState!(0, k))).forEach(keep);
      const m = await arena.startTileVM(d, world.tileVM!(0, last));
      const vmBound = startTileVMCost(worst.model, 0, abi);
      tileVMSamples.push({ source: `registrable worst tile ${last}`, shape: vmBound.shape, measured: m, bound: vmBound.execution });
      Object.assign(row, { startTiles: { measured: entry, bound }, startTileVM: { measured: m, bound: vmBound } });
      log(`registrable worst startTiles: ${entry.gasUsed} gas (execution ${entry.execution}), ${entry.calldata} bytes; bound ${bound.gas} (execution ${bound.execution}), ${bound.calldata} bytes`);
      log(`registrable worst startTileVM: ${m.gasUsed} gas (execution ${m.execution}), ${m.calldata} bytes; bound ${vmBound.gas} (execution ${vmBound.execution}), ${vmBound.calldata} bytes`);
    }
    registrable.push(row);
    save();
  }
}

/**
 * Execution gas of TransitionVerifier.verify alone (eth_estimateGas less 21,000 and calldata) for the wide node
 * of a synthetic model with `inputs` graph inputs and `nodes` nodes (the node tree is never built: its root comes
 * from the node's leaf and made-up siblings), and the startVM shape of that node.
 */
async function verifyGas(arena: Arena, verifier: Hex, inputs: number, nodes: number, wide: WideNode): Promise<{ execution: number; shape: StartVMShape }> {
  const small = syntheticModel(Math.max(inputs, wide.slotInputs), 2, wide, 'verify');
  const spec = small.nodes[0];
  const j = 40; // any node index after the 32 slots it reads
  const D = ceilLog2(inputs + nodes);
  const N = ceilLog2(nodes);
  const h = (label: string): Hex => keccak256(toHex(label));
  const nodeSiblings = Array.from({ length: N }, (_, k) => h(`node sibling ${k}`));
  const nodesRoot = toHex(computeRoot(hexToBytes(nodeLeaf(spec)), j, nodeSiblings.map((x) => hexToBytes(x))));
  const filled = inputs + j;
  const leaves = new Uint8Array((filled + 1) * 32);
  for (let k = 0; k < filled; k++) leaves.set(hexToBytes(h(`slot ${k}`)), k * 32);
  const lo = new MerkleTree(D, filled + 1, leaves);
  const outRoot = h('out root');
  const outSlotSiblings = lo.proof(filled).map((x) => toHex(x));
  const hiState = toHex(computeRoot(hexToBytes(outRoot), filled, lo.proof(filled)));
  const outSiblings = Array.from({ length: MEM_DEPTH - spec.outHeight }, (_, k) => h(`mem ${k}`));
  const memRoot = toHex(computeRoot(hexToBytes(outRoot), spec.outBase / 8 / 2 ** spec.outHeight, outSiblings.map((x) => hexToBytes(x))));
  const t = {
    spec: toAbiNodeSpec(spec),
    nodeSiblings,
    slotRoots: spec.inputs.map((r) => (r.fromSlot ? toHex(lo.leaf(r.slot)) : r.root)),
    slotSiblings: spec.inputs.map((r) => (r.fromSlot ? lo.proof(r.slot).map((x) => toHex(x)) : [])),
    finalState: toAbiState({ codeRoot: spec.codeRoot, memRoot, pc: 7, step: spec.steps, status: 1, regs: Array.from({ length: 16 }, (_, r) => r) }),
    outRoot,
    outSiblings,
    outSlotSiblings,
  };
  const m = { nodesRoot, numNodes: nodes, outputSlot: inputs + nodes - 1, outputWords: 8, inputWords: Array<number>(inputs).fill(8) };
  const data = encodeFunctionData({ abi: loadArtifact('TransitionVerifier').abi, functionName: 'verify', args: [m, BigInt(j), toHex(lo.root()), hiState, t] } as never);
  const gas = Number(await arena.sub.publicClient.estimateGas({ to: verifier, data, account: arena.sub.account }));
  const bytes = hexToBytes(data);
  const nonzero = bytes.reduce((n, b) => n + (b === 0 ? 0 : 1), 0);
  const shapeModel = { nodes: Array(nodes).fill(spec) as (typeof spec)[], numNodes: nodes, inputWords: m.inputWords };
  return { execution: gas - 21_000 - 16 * nonzero - 4 * (bytes.length - nonzero), shape: startVMShape(shapeModel, 0, abi) };
}
