/**
 * `opml inspect <model>`: nodes, ops, shapes, VM step counts and sizes, or what is unsupported; then the game's
 * forced moves (startVM's gas bound and calldata per node, the dearest move, the caps) and the longest dispute
 * under each chain profile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { nodeSpec, type NodeSpec } from '../../models/int/commitment.ts';
import { unsupportedNodes, type UnsupportedNode } from '../../models/onnx/support.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { elementCount } from '../../models/int/graph.ts';
import { lowerNode } from '../../models/int/vmNode.ts';
import { Output, table } from '../output.ts';
import { disputeGameAbi, FORCED_MOVE_CALLDATA, FORCED_MOVE_GAS, forcedMoves, type ForcedMoveCost } from '../game/forcedMoves.ts';
import { longestDispute, PROFILES } from '../game/params.ts';
import { prepareFromArgs } from './modelArg.ts';

export interface InspectRow {
  name: string;
  op: string;
  inputs: number[][];
  output: number[];
  steps: number;
  codeSize: number;
  memoryWords: number;
}

/** Every node of an .onnx file opml cannot run, as an error listing them all (or nothing when all are fine). */
function checkSupport(model: string, out: Output): void {
  if (!model.endsWith('.onnx') || !existsSync(model)) return;
  let missing: UnsupportedNode[];
  try {
    missing = unsupportedNodes(new Uint8Array(readFileSync(model)));
  } catch {
    return; // not decodable: the loader's own message explains it
  }
  if (missing.length === 0) return;
  out.result({ model, unsupported: missing });
  for (const m of missing) out.line(`unsupported: node "${m.name}" (${m.op}): ${m.why}`);
  throw new OpmlError(`${model}: ${missing.length} node(s) cannot run in opml`, ExitCode.INPUT, 'export the model with the ops listed in docs/MODELS.md');
}

export function inspectModel(model: string, opts: { calibration?: string; json?: boolean }, out = new Output(opts)): InspectRow[] {
  checkSupport(model, out);
  const { int: graph } = prepareFromArgs(model, opts.calibration);
  const specs: NodeSpec[] = [];
  const rows = graph.nodes.map((node, i) => {
    out.progress(`lowering node ${i + 1}/${graph.nodes.length}: ${node.name}`);
    const lowered = lowerNode(graph, i);
    const spec = nodeSpec(graph, i, lowered);
    specs.push(spec);
    return {
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((t) => graph.tensors[t].dims),
      output: graph.tensors[node.output].dims,
      steps: spec.steps,
      codeSize: lowered.program.length,
      memoryWords: lowered.layout.extent,
    };
  });
  const shape = { nodes: specs, numNodes: specs.length, inputWords: graph.inputs.map((t) => elementCount(graph.tensors[t].dims)) };
  const game = gameFigures(shape, graph.nodes.map((n) => n.name), out);
  if (out.json) {
    out.result({ model, inputs: graph.inputs.map((t) => graph.tensors[t]), nodes: rows, ...game });
    return rows;
  }
  const weights = [...graph.weights.values()].reduce((n, w) => n + w.length, 0);
  out.line(`${model}: ${graph.nodes.length} integer nodes, ${weights.toLocaleString('en-US')} weight words, every op supported`);
  out.line(`inputs: ${graph.inputs.map((t) => `${graph.tensors[t].name} [${graph.tensors[t].dims}]`).join(', ')}`);
  out.line();
  const fmt = (d: number[]) => `[${d.join('x')}]`;
  out.line(
    table([
      ['#', 'node', 'op', 'inputs', 'output', 'VM steps', 'code', 'memory'],
      ...rows.map((r, i) => [String(i), r.name, r.op, r.inputs.map(fmt).join(' '), fmt(r.output), r.steps.toLocaleString('en-US'), String(r.codeSize), `${elementCount([r.memoryWords]).toLocaleString('en-US')} w`]),
    ]),
  );
  printGameFigures(game, rows.map((r) => r.name), out);
  return rows;
}

/** How many startVM rows the human report lists (the dearest first); --json has them all. */
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

interface GameFigures {
  forcedMoves:
    | {
        caps: { gas: number; calldata: number };
        startVM: StartVMRow[];
        constant: ForcedMoveCost[];
        worst: ForcedMoveCost & { name?: string };
        worstCalldata: ForcedMoveCost & { name?: string };
        underCaps: boolean;
        problems: string[];
      }
    | { error: string };
  longestDispute: { profile: string; moves: number; seconds: number; clockSeconds: number; moveIncrement: number }[];
}

/** The forced moves' bounds and the longest dispute under every profile. */
function gameFigures(c: { nodes: NodeSpec[]; numNodes: number; inputWords: number[] }, names: string[], out: Output): GameFigures {
  const longest = PROFILES.map((p) => ({ profile: p.name, ...longestDispute(c, p.params), clockSeconds: p.params.clockSeconds, moveIncrement: p.params.moveIncrement }));
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
    out.line(
      table([
        ['startVM of node', 'input regions (slot)', 'gas bound', 'calldata'],
        ...shown.map((r) => [`${r.node} ${r.name}`, `${r.inputRegions} (${r.slotInputs})`, n(r.gas), `${n(r.calldata)} B`]),
      ]),
    );
    if (dearest.length > shown.length) out.line(`(the ${shown.length} dearest of ${dearest.length} nodes; --json lists every node)`);
    const label = (m: ForcedMoveCost) => (m.node === undefined ? m.move : `${m.move} of node ${m.node} (${names[m.node]})`);
    out.line(`other moves: ${f.constant.map((m) => `${m.move} ${n(m.gas)}`).join(', ')} gas`);
    out.line(`worst forced move: ${label(f.worst)}, at most ${n(f.worst.gas)} gas (${n(f.worst.calldata)} B); most calldata: ${label(f.worstCalldata)}, ${n(f.worstCalldata.calldata)} B`);
    out.line(f.underCaps ? 'every forced move is under the caps' : `OVER THE CAPS: ${f.problems.join('; ')}`);
  }
  out.line();
  out.line('longest dispute (each side spends at most its clock plus an increment per move):');
  out.line(table([['profile', 'moves', 'chain-time bound'], ...g.longestDispute.map((d) => [d.profile, String(d.moves), `${n(d.seconds)} s (${(d.seconds / 3600).toFixed(2)} h) = 2 x ${n(d.clockSeconds)} s + ${d.moves} x ${d.moveIncrement} s`])]));
}
