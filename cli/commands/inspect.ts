/** `opml inspect <model>`: nodes, ops, shapes, VM step counts and sizes, or what is unsupported. */
import { existsSync, readFileSync } from 'node:fs';
import { nodeSpec } from '../../models/int/commitment.ts';
import { unsupportedNodes, type UnsupportedNode } from '../../models/onnx/support.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { elementCount } from '../../models/int/graph.ts';
import { lowerNode } from '../../models/int/vmNode.ts';
import { Output, table } from '../output.ts';
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
  const rows = graph.nodes.map((node, i) => {
    out.progress(`lowering node ${i + 1}/${graph.nodes.length}: ${node.name}`);
    const lowered = lowerNode(graph, i);
    return {
      name: node.name,
      op: node.op,
      inputs: node.inputs.map((t) => graph.tensors[t].dims),
      output: graph.tensors[node.output].dims,
      steps: nodeSpec(graph, i, lowered).steps,
      codeSize: lowered.program.length,
      memoryWords: lowered.layout.extent,
    };
  });
  if (out.json) {
    out.result({ model, inputs: graph.inputs.map((t) => graph.tensors[t]), nodes: rows });
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
  return rows;
}
