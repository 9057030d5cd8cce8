/**
 * Measures the forced moves on anvil, the data behind cli/game/forcedMoves.ts (STARTVM_GAS,
 * CONSTANT_EXECUTION_MEASURED): startVM of every node of every zoo model, played for real (a submitter lying at
 * that node, an honest challenger), startVM of synthetic registered models over a grid of shapes, and the
 * constant moves on their dearest paths (resolveStep of a STORE, LOAD and MAC step that rejects the submission
 * and splits its bond, timeout likewise, settle into an empty credit).
 *
 *   npx tsx scripts/calibrate-forced-moves.ts [out.json] [--quick]
 *
 * Writes every sample (shape and measured execution gas) as JSON; scripts/fit-forced-moves.py fits STARTVM_GAS
 * from it, and with the coefficients in place this script prints bound / measured for every sample.
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
import { CONSTANT_MOVES, constantMoveCost, disputeGameAbi, startVMExecutionBound, startVMShape, transactionGas, type StartVMShape } from '../cli/game/forcedMoves.ts';
import { Arena, firstStepOfOp, syntheticModel, syntheticWorld, type MeasuredTx, type WideNode } from '../cli/game/measureMoves.ts';
import { parseInput } from '../cli/inputs.ts';
import { modelCommitment } from '../models/int/commitment.ts';
import { prepareModel } from '../models/prepare.ts';
import { Op } from '../vm/isa.ts';
import { ceilLog2 } from '../vm/merkle.ts';

const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'forced-moves-calibration.json';
const quick = process.argv.includes('--quick');
const phaseArg = process.argv.find((a) => a.startsWith('--phases='));
const phases = new Set((phaseArg?.slice('--phases='.length) ?? 'zoo,synthetic,constants,extrapolation').split(','));
const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:0', 'tiny-transformer': 'text:hello world. opm' };

interface Sample {
  source: string;
  shape: StartVMShape;
  measured: MeasuredTx;
  bound: number;
}

const abi = disputeGameAbi();
const anvil = await startAnvil({ blockGasLimit: 1_000_000_000n });
const samples: Sample[] = [];
const constants: Record<string, MeasuredTx[]> = {};
const extrapolation: Record<string, unknown>[] = [];
const keep = (m: MeasuredTx) => (constants[m.action] ??= []).push(m);
const t0 = performance.now();
/** Write what was measured so far (every phase ends with a save: a failure later loses nothing). */
function save() {
  const summary = Object.fromEntries(
    Object.entries(constants).map(([k, ms]) => [k, { count: ms.length, maxExecution: Math.max(...ms.map((m) => m.execution)), maxGasUsed: Math.max(...ms.map((m) => m.gasUsed)), maxCalldata: Math.max(...ms.map((m) => m.calldata)) }]),
  );
  writeFileSync(out, JSON.stringify({ samples, constants: summary, extrapolation }, null, 1));
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
  const rng = (() => {
    let x = 0x9e3779b9;
    return (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
  })();
  const pick = <T>(xs: readonly T[]): T => xs[rng(xs.length)];
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
  const prepared = prepareModel('mnist-mlp');
  const c = modelCommitment(prepared.int);
  const input = parseInput('mnist:0', prepared.int).words;
  const honest = new HonestClaims(prepared.int, input, c);
  const j = 1;
  const liar = new LyingClaims(prepared.int, input, { node: j, vmFrom: 'end' }, c);
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
} finally {
  await anvil.stop();
}

const summary = save();
log(JSON.stringify(summary, null, 1));
const ratios = samples.map((s) => s.bound / s.measured.execution);
log(`startVM: ${samples.length} samples, bound/measured execution from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}`);
for (const m of CONSTANT_MOVES) log(`${m}: bound ${JSON.stringify(constantMoveCost(m, abi))}`);
log(`wrote ${out}`);

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
