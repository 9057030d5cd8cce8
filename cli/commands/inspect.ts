/**
 * `opml inspect <model>`: nodes, ops, shapes, VM step counts and sizes, or what is unsupported; then the game's
 * forced moves (the gas bound and calldata of each node's entry: startVM for an untiled node, startTiles and
 * startTileVM for a tiled one; the dearest move, the caps) and the longest dispute under each chain profile.
 */
import { readFileSync } from 'node:fs';
import { nodeSpec, type NodeSpec } from '../../models/int/commitment.ts';
import { unsupportedNodes, type UnsupportedNode } from '../../models/onnx/support.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { elementCount, type IntGraph } from '../../models/int/graph.ts';
import { lowerForCommitment, type NodeLowering } from '../../models/int/tiles/lowering.ts';
import { TileStepsError, type LoweringOptions } from '../../models/int/tiles/options.ts';
import { Output, table } from '../output.ts';
import { disputeGameAbi, FORCED_MOVE_CALLDATA, FORCED_MOVE_GAS, forcedMoves, type ForcedMoveCost } from '../game/forcedMoves.ts';
import { longestDispute, PROFILES } from '../game/params.ts';
import { symbolicInputs, type OnnxInterface, type OnnxValue } from '../../models/onnx/interface.ts';
import { modelFile, zooFor } from '../../models/prepare.ts';
import { interfaceFromArgs, generationFromArgs, loweringFromArgs, prepareFromArgs, resolveShapes, suggestedShape, type ModelArgs } from './modelArg.ts';

export interface InspectRow {
  name: string;
  op: string;
  inputs: number[][];
  output: number[];
  /** VM steps of the node (of all its tiles, for a tiled node). */
  steps: number;
  /** Instructions of its program (of its longest tile program). */
  codeSize: number;
  memoryWords: number;
  /** Tiles it is committed as (only for a tiled node). */
  tiles?: number;
}

const fmtDims = (dims: OnnxValue['dims']) => (dims === null ? '(shape not declared)' : `[${dims.map((d) => (d === null ? '?' : d)).join(', ')}]`);

/** The nodes of an .onnx file opml cannot run (all of them; an undecodable file: none here, the loader says why). */
function unsupportedOf(file: string): UnsupportedNode[] {
  try {
    return unsupportedNodes(new Uint8Array(readFileSync(file)));
  } catch {
    return [];
  }
}

export interface InspectOptions extends ModelArgs {
  json?: boolean;
}

/**
 * `opml inspect <model>`. For an .onnx file first what it takes and gives (opset, producer, inputs with their
 * symbolic dims, outputs), every node opml cannot run and what to give next (--shape, --calibration); once it
 * can be quantized, the integer nodes and the game's figures.
 */
export function inspectModel(model: string, opts: InspectOptions, out = new Output(opts)): InspectRow[] {
  const iface = interfaceFromArgs(model);
  const zoo = zooFor(model);
  const calibration = opts.calibration === undefined ? [] : typeof opts.calibration === 'string' ? [opts.calibration] : opts.calibration;
  let onnx: (OnnxInterface & { unsupported: UnsupportedNode[]; next: string[] }) | undefined;
  if (iface) {
    const unsupported = unsupportedOf(modelFile(model).file);
    // A zoo model's input takes its advertised dims (a symbolic batch dim included) unless --shape says otherwise.
    const given = { ...(zoo ? { [zoo.inputName]: zoo.inputDims } : {}), ...resolveShapes(model, iface, opts.shape ?? [], false) };
    const open = symbolicInputs(iface).filter((v) => !Object.hasOwn(given, v.name));
    const next: string[] = [];
    if (unsupported.length > 0) next.push(`re-export the model without the ${unsupported.length} node(s) opml cannot run (docs/MODELS.md lists the supported ops)`);
    if (open.length > 0) next.push(`fix the symbolic dims: ${open.map(suggestedShape).join(' ')} (with your real sizes)`);
    if (!zoo && calibration.length === 0) {
      const flags = [...(opts.shape ?? []).map((s) => `--shape ${s}`), ...open.map(suggestedShape)].join(' ');
      next.push(`give calibration samples to quantize it: --calibration samples.json (or x.npy, first axis: samples; docs/INPUTS.md), e.g. opml quantize ${model}${flags ? ` ${flags}` : ''} --calibration samples.json -o model.opml`);
    }
    onnx = { ...iface, unsupported, next };
    if (!zoo || unsupported.length > 0) printInterface(model, onnx, given, out);
    if (unsupported.length > 0) {
      out.result({ model, unsupported, onnx });
      throw new OpmlError(`${model}: ${unsupported.length} node(s) cannot run in opml`, ExitCode.INPUT, 'export the model with the ops listed in docs/MODELS.md');
    }
    if (next.length > 0) {
      out.result({ model, onnx });
      return [];
    }
  }
  const { int: graph, lowering } = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  const specs: NodeSpec[] = [];
  const maxTileSteps: number[] = [];
  const rows = graph.nodes.map((node, i) => {
    out.progress(`lowering node ${i + 1}/${graph.nodes.length}: ${node.name}`);
    const plan = lowerWithArgs(graph, i, lowering);
    const spec = nodeSpec(graph, i, plan);
    specs.push(spec);
    maxTileSteps.push(plan.kind === 'vm' ? 0 : Math.max(...plan.specs().map((t) => t.steps)));
    return {
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((t) => graph.tensors[t].dims),
      output: graph.tensors[node.output].dims,
      steps: plan.kind === 'vm' ? plan.steps : plan.totalSteps(),
      codeSize: plan.kind === 'vm' ? plan.lowered.program.length : plan.maxCodeSize(),
      memoryWords: plan.kind === 'vm' ? plan.lowered.layout.extent : plan.layout.extent,
      ...(plan.kind === 'vm' ? {} : { tiles: plan.numTiles }),
    };
  });
  const shape = { nodes: specs, numNodes: specs.length, maxTileSteps, inputWords: graph.inputs.map((t) => elementCount(graph.tensors[t].dims)) };
  const game = gameFigures(shape, graph.nodes.map((n) => n.name), out);
  if (out.json) {
    out.result({ model, ...(onnx ? { onnx } : {}), inputs: graph.inputs.map((t) => graph.tensors[t]), nodes: rows, ...game });
    return rows;
  }
  const weights = [...graph.weights.values()].reduce((n, w) => n + w.length, 0);
  out.line(`${model}: ${graph.nodes.length} integer nodes, ${weights.toLocaleString('en-US')} weight words, every op supported`);
  out.line(`inputs: ${graph.inputs.map((t) => `${graph.tensors[t].name} [${graph.tensors[t].dims}]`).join(', ')}`);
  out.line();
  const fmt = (d: number[]) => `[${d.join('x')}]`;
  // A tiles column only when a node is tiled (`--tile-steps`, or a node too large for one VM program).
  const tiled = rows.some((r) => r.tiles !== undefined);
  out.line(
    table([
      ['#', 'node', 'op', 'inputs', 'output', 'VM steps', 'code', 'memory', ...(tiled ? ['tiles'] : [])],
      ...rows.map((r, i) => [String(i), r.name, r.op, r.inputs.map(fmt).join(' '), fmt(r.output), r.steps.toLocaleString('en-US'), String(r.codeSize), `${elementCount([r.memoryWords]).toLocaleString('en-US')} w`, ...(tiled ? [r.tiles?.toLocaleString('en-US') ?? '-'] : [])]),
    ]),
  );
  printGameFigures(game, rows.map((r) => r.name), out);
  return rows;
}

/** lowerForCommitment, with a --tile-steps too small for a node as a usage error (exit 2) that says what would do. */
function lowerWithArgs(graph: IntGraph, i: number, lowering: LoweringOptions): NodeLowering {
  try {
    return lowerForCommitment(graph, i, lowering);
  } catch (err) {
    if (!(err instanceof TileStepsError)) throw err;
    throw new OpmlError(`--tile-steps ${lowering.tileSteps}: ${err.message}`, ExitCode.USAGE, err.least ? `give --tile-steps ${err.least} or more` : 'give a larger --tile-steps');
  }
}

/** The ONNX file's interface, what cannot run and what to give next, for people. */
function printInterface(model: string, o: OnnxInterface & { unsupported: UnsupportedNode[]; next: string[] }, given: Record<string, number[]>, out: Output): void {
  out.line(`${model}: ONNX opset ${o.opset}${o.producer ? `, produced by ${o.producer}` : ''}`);
  const row = (kind: string, v: OnnxValue) => {
    const notes: string[] = [];
    if (kind === 'input' && (v.dims === null || v.dims.some((d) => typeof d !== 'number'))) notes.push(Object.hasOwn(given, v.name) ? `--shape gives [${given[v.name]}]` : 'symbolic: needs --shape');
    if (kind === 'input' && (v.dtype === 'int64' || v.dtype === 'int32')) notes.push('integers (token ids, indices) that fit int32');
    return [kind, v.name, v.dtype, fmtDims(v.dims), notes.join('; ')];
  };
  out.line(table([['', 'name', 'dtype', 'dims', ''], ...o.inputs.map((v) => row('input', v)), ...o.outputs.map((v) => row('output', v))]));
  for (const m of o.unsupported) out.line(`unsupported: node "${m.name}" (${m.op}): ${m.why}`);
  if (o.unsupported.length === 0) out.line('every node is supported');
  if (o.next.length > 0) {
    out.line();
    out.line('next:');
    for (const n of o.next) out.line(`  ${n}`);
  } else out.line();
}

/** How many startVM rows (and startTiles rows) the human report lists (the dearest first); --json has them all. */
const STARTVM_ROWS = 8;

interface StartVMRow {
  node: number;
  name: string;
  inputRegions: number;
  slotInputs: number;
  gas: number;
  execution: number;
  calldata: number;
}

/** startTiles of a tiled node (its entry: a tiled node has no startVM). */
interface StartTilesRow extends StartVMRow {
  numTiles: number;
}

/** startTileVM of a tiled node (any of its tiles). */
interface StartTileVMRow {
  node: number;
  name: string;
  numTiles: number;
  /** The tile proof's siblings, ceil(log2 numTiles). */
  tileSiblings: number;
  /** The window proof's siblings, MEM_DEPTH - windowHeight. */
  windowSiblings: number;
  gas: number;
  execution: number;
  calldata: number;
}

interface GameFigures {
  forcedMoves:
    | {
        caps: { gas: number; calldata: number };
        /** Untiled nodes only. */
        startVM: StartVMRow[];
        /** Tiled nodes only (empty for a model with none), as startTileVM. */
        startTiles: StartTilesRow[];
        startTileVM: StartTileVMRow[];
        constant: ForcedMoveCost[];
        worst: ForcedMoveCost & { name?: string };
        worstCalldata: ForcedMoveCost & { name?: string };
        underCaps: boolean;
        problems: string[];
      }
    | { error: string };
  longestDispute: { profile: string; moves: number; seconds: number; clockSeconds: number; moveIncrement: number; arity: number }[];
}

/** The forced moves' bounds and the longest dispute under every profile. */
function gameFigures(c: { nodes: NodeSpec[]; numNodes: number; inputWords: number[]; maxTileSteps?: number[] }, names: string[], out: Output): GameFigures {
  const longest = PROFILES.map((p) => ({ profile: p.name, ...longestDispute(c, p.params), clockSeconds: p.params.clockSeconds, moveIncrement: p.params.moveIncrement, arity: p.params.arity }));
  let abi;
  try {
    abi = disputeGameAbi((what) => out.progress(what));
  } catch (err) {
    return { forcedMoves: { error: `the DisputeGame ABI is unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` }, longestDispute: longest };
  }
  const f = forcedMoves(c, abi);
  const named = (m: ForcedMoveCost) => (m.node === undefined ? m : { ...m, name: names[m.node] });
  return {
    forcedMoves: {
      caps: f.caps,
      startVM: f.startVM.map((m) => ({ node: m.node, name: names[m.node], inputRegions: m.shape.regions, slotInputs: m.shape.slotInputs, gas: m.gas, execution: m.execution, calldata: m.calldata })),
      startTiles: f.startTiles.map((m) => ({ node: m.node, name: names[m.node], inputRegions: m.shape.regions, slotInputs: m.shape.slotInputs, numTiles: c.nodes[m.node].numTiles, gas: m.gas, execution: m.execution, calldata: m.calldata })),
      startTileVM: f.startTileVM.map((m) => ({ node: m.node, name: names[m.node], numTiles: m.shape.numTiles, tileSiblings: m.shape.tileDepth, windowSiblings: m.shape.windowSiblings, gas: m.gas, execution: m.execution, calldata: m.calldata })),
      constant: f.constant,
      worst: named(f.worst),
      worstCalldata: named(f.worstCalldata),
      underCaps: f.underCaps,
      problems: f.problems,
    },
    longestDispute: longest,
  };
}

function printGameFigures(g: GameFigures, names: string[], out: Output): void {
  const n = (x: number) => x.toLocaleString('en-US');
  out.line();
  out.line(`forced moves (caps: ${n(FORCED_MOVE_GAS)} gas, ${n(FORCED_MOVE_CALLDATA)} bytes of calldata; gas figures are upper bounds on the whole transaction)`);
  if ('error' in g.forcedMoves) {
    out.line(`  not computed: ${g.forcedMoves.error}`);
  } else {
    const f = g.forcedMoves;
    const dearest = [...f.startVM].sort((a, b) => b.gas - a.gas || a.node - b.node);
    const shown = dearest.slice(0, STARTVM_ROWS);
    if (dearest.length > 0) {
      out.line(
        table([
          ['startVM of node', 'input regions (slot)', 'gas bound', 'calldata'],
          ...shown.map((r) => [`${r.node} ${r.name}`, `${r.inputRegions} (${r.slotInputs})`, n(r.gas), `${n(r.calldata)} B`]),
        ]),
      );
      if (dearest.length > shown.length) out.line(`(the ${shown.length} dearest of ${dearest.length} ${f.startTiles.length > 0 ? 'untiled ' : ''}nodes; --json lists every node)`);
    }
    // A tiled node's entry is startTiles, and each of its tiles' startTileVM (one shape for all its tiles).
    const tiled = [...f.startTiles].sort((a, b) => b.gas - a.gas || a.node - b.node);
    const tiledShown = tiled.slice(0, STARTVM_ROWS);
    if (tiled.length > 0) {
      const vm = new Map(f.startTileVM.map((r) => [r.node, r]));
      out.line(
        table([
          ['startTiles of node', 'input regions (slot)', 'tiles', 'gas bound', 'calldata', 'startTileVM gas bound', 'calldata'],
          ...tiledShown.map((r) => {
            const t = vm.get(r.node)!;
            return [`${r.node} ${r.name}`, `${r.inputRegions} (${r.slotInputs})`, n(r.numTiles), n(r.gas), `${n(r.calldata)} B`, n(t.gas), `${n(t.calldata)} B`];
          }),
        ]),
      );
      if (tiled.length > tiledShown.length) out.line(`(the ${tiledShown.length} dearest of ${tiled.length} tiled nodes; --json lists every node)`);
    }
    const label = (m: ForcedMoveCost) => (m.node === undefined ? m.move : `${m.move} of node ${m.node} (${names[m.node]})`);
    out.line(`other moves: ${f.constant.map((m) => `${m.move} ${n(m.gas)}`).join(', ')} gas`);
    out.line(`worst forced move: ${label(f.worst)}, at most ${n(f.worst.gas)} gas (${n(f.worst.calldata)} B); most calldata: ${label(f.worstCalldata)}, ${n(f.worstCalldata.calldata)} B`);
    out.line(f.underCaps ? 'every forced move is under the caps' : `OVER THE CAPS: ${f.problems.join('; ')}`);
  }
  out.line();
  out.line('longest dispute (each side spends at most its clock plus an increment per move; k-ary dissection):');
  out.line(table([['profile', 'k', 'moves', 'chain-time bound'], ...g.longestDispute.map((d) => [d.profile, String(d.arity), String(d.moves), `${n(d.seconds)} s (${(d.seconds / 3600).toFixed(2)} h) = 2 x ${n(d.clockSeconds)} s + ${d.moves} x ${d.moveIncrement} s`])]));
}
