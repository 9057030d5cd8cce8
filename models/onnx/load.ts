// ONNX bytes → FloatGraph: decode, collect initializers and graph inputs, check that every value is defined
// once, sort topologically, run every node through the pipeline (pipeline.ts: adapt → fold → alias →
// expand → import), bind the graph outputs, fuse decomposed RMSNorms (fuse/rmsnorm.ts), prune unused constants.

import type { GraphProto, NodeProto } from 'onnx-buf';
import { InputShapeError, MissingValueError, OnnxLoadError, UnsupportedOpError, nodeSubject, printable } from '../errors.ts';
import { type FloatGraph, type Tensor, type ValueInfo } from '../graph.ts';
import { decodeModel } from './decode.ts';
import { isLoadableOp } from './opsets/loadable.ts';
import { foldBudget } from './fold/tensor.ts';
import { fuseRmsNorm } from './fuse/rmsnorm.ts';
import { convOnlyValues } from './padIntoConv.ts';
import { Pipeline, refuseUnloadable, unloadableInside } from './pipeline.ts';
import { tensorFromProto } from './tensors.ts';
import { topoSort } from './toposort.ts';
import { graphInput } from './values.ts';

export interface LoadOptions {
  /** Static dims for graph inputs whose shape is symbolic (e.g. a dynamic batch axis). */
  inputDims?: Record<string, number[]>;
  /** Fuse decomposed RMSNorms into RMSNormalization nodes (fuse/rmsnorm.ts; default true). */
  fuseRmsNorm?: boolean;
}

interface PendingNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  proto: NodeProto;
}

export function loadOnnx(bytes: Uint8Array, options: LoadOptions = {}): FloatGraph {
  const { graph, opset } = decodeModel(bytes);
  if (graph.sparseInitializer.length > 0) {
    throw new OnnxLoadError('ONNX model', 'sparse initializers are not supported', 'densify them before loading');
  }
  const constants = new Map<string, Tensor>();
  for (const t of graph.initializer) {
    if (constants.has(t.name)) throw new OnnxLoadError(`initializer "${t.name}"`, 'it is defined twice', 'the file is corrupt');
    constants.set(t.name, tensorFromProto(t));
  }
  const declared = graph.input.filter((v) => !constants.has(v.name));
  for (const name of Object.keys(options.inputDims ?? {})) {
    if (!declared.some((v) => v.name === name)) {
      const names = declared.map((v) => `"${v.name}"`).join(', ');
      throw new InputShapeError(`inputDims "${name}"`, 'the graph has no such input', `the inputs are ${names}`);
    }
  }
  const inputs = declared.map((v) => graphInput(v, options.inputDims?.[v.name]));
  const nodes = collectNodes(graph);
  checkDefinitions(graph, inputs, constants, nodes);

  const weightElements = [...constants.values()].reduce((n, t) => n + t.data.length, 0);
  const p = new Pipeline(opset, usedValues(graph), convOnlyValues(graph), foldBudget(weightElements));
  reserveNames(graph, p);
  for (const v of inputs) p.values.set(v.name, v);
  for (const [name, t] of constants) p.defineConstant(`initializer "${printable(name)}"`, name, t);
  for (const n of topoSort(nodes)) p.run(n.proto.name === n.name ? n.proto : ({ ...n.proto, name: n.name } as NodeProto), opset);

  const outputs = graph.output.map((o) => o.name);
  bindOutputs(p, outputs, inputs);
  if (options.fuseRmsNorm !== false) fuseRmsNorm({ nodes: p.nodes, initializers: p.floats, values: p.values, outputs }, (hint) => p.fresh(hint));

  // Drop constants no node reads (e.g. Reshape shapes folded into attributes, folded shape arithmetic).
  const used = new Set([...p.nodes.flatMap((n) => n.inputs), ...outputs]);
  for (const map of [p.floats, p.ints] as Map<string, Tensor>[]) {
    for (const name of [...map.keys()]) {
      if (!used.has(name)) {
        map.delete(name);
        p.values.delete(name);
      }
    }
  }
  return { inputs, outputs, nodes: p.nodes, initializers: p.floats, intInitializers: p.ints, values: p.values, opset };
}

/** Nodes with unique names; ops opml cannot load are refused before any work (inner culprits first). */
function collectNodes(graph: GraphProto): PendingNode[] {
  const names = new Set<string>();
  return graph.node.map((proto, index) => {
    let name = proto.name || `${proto.opType}_${index}`;
    if (names.has(name)) name = `${name}_${index}`;
    names.add(name);
    if (proto.domain !== '' && proto.domain !== 'ai.onnx') {
      throw new UnsupportedOpError(nodeSubject(name, proto.opType), `custom domain "${printable(proto.domain)}" is not supported`, 'export with standard ONNX ops only');
    }
    // An If's branches are checked when it is inlined: only the branch taken has to load.
    if (!isLoadableOp(proto.opType) || (proto.opType !== 'If' && unloadableInside(proto))) refuseUnloadable(name, proto);
    return { name, op: proto.opType, inputs: [...proto.input], outputs: proto.output.filter((o) => o !== ''), proto };
  });
}

/** Every value read by a node (subgraphs included) or listed as a graph output. */
function usedValues(graph: GraphProto, into = new Set<string>()): Set<string> {
  for (const n of graph.node) {
    for (const i of n.input) if (i !== '') into.add(i);
    for (const a of n.attribute) for (const g of a.g ? [a.g] : a.graphs) usedValues(g, into);
  }
  for (const o of graph.output) into.add(o.name);
  return into;
}

/** Reserves every node and value name of the file (subgraphs included) so fresh names never collide. */
function reserveNames(graph: GraphProto, p: Pipeline): void {
  for (const v of [...graph.input, ...graph.output]) p.reserve(v.name);
  for (const t of graph.initializer) p.reserve(t.name);
  graph.node.forEach((n, i) => {
    p.reserve(n.name || `${n.opType}_${i}`);
    for (const o of n.output) p.reserve(o);
    for (const a of n.attribute) for (const g of a.g ? [a.g] : a.graphs) reserveNames(g, p);
  });
}

/**
 * Graph outputs that became aliases (Identity, Dropout, an inlined If) or constants get their own name back:
 * the producing node's output is renamed, a constant is copied; a float graph input passed through unchanged
 * gets a Reshape to its own shape (an identity node); an integer one is refused.
 */
function bindOutputs(p: Pipeline, outputs: string[], inputs: ValueInfo[]): void {
  const isInput = (v: string) => inputs.some((i) => i.name === v);
  const renamed = new Map<string, string>();
  for (const o of outputs) {
    let r = p.resolve(o);
    if (r === o) continue;
    r = renamed.get(r) ?? r;
    const t = p.constant(r);
    if (t) {
      p.defineConstant(`graph output "${printable(o)}"`, o, t);
      continue;
    }
    const info = p.values.get(r);
    if (!info) throw new MissingValueError(`graph output "${printable(o)}"`, 'no node, input or initializer produces it', 'fix the output name');
    const producer = p.nodes.find((n) => n.outputs.includes(r));
    if (producer && !outputs.includes(r)) {
      for (const n of p.nodes) {
        n.outputs = n.outputs.map((v) => (v === r ? o : v));
        n.inputs = n.inputs.map((v) => (v === r ? o : v));
      }
      p.values.delete(r);
      p.values.set(o, { ...info, name: o });
      renamed.set(r, o);
      continue;
    }
    if (info.dtype !== 'float32') {
      const what = isInput(r) ? `graph input "${printable(r)}"` : `value "${printable(r)}"`;
      throw new OnnxLoadError(`graph output "${printable(o)}"`, `it is the integer ${what} passed through unchanged`, 'remove that output or compute something from it');
    }
    p.nodes.push({ name: p.fresh(`${o}/identity`), op: 'Reshape', inputs: [r], outputs: [o], attrs: { shape: [...info.dims] } });
    p.values.set(o, { ...info, name: o });
  }
}

/** Every value is defined exactly once, and every use refers to a defined value. */
function checkDefinitions(graph: GraphProto, inputs: ValueInfo[], constants: Map<string, Tensor>, nodes: PendingNode[]): void {
  const defined = new Set<string>([...inputs.map((v) => v.name), ...constants.keys()]);
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (defined.has(o)) {
        throw new OnnxLoadError(nodeSubject(n.name, n.op), `output "${o}" is already defined by another node, input or initializer`, 'every value must have one producer');
      }
      defined.add(o);
    }
  }
  for (const n of nodes) {
    for (const input of n.inputs) {
      if (input !== '' && !defined.has(input)) {
        throw new MissingValueError(
          nodeSubject(n.name, n.op),
          `input "${input}" is not a graph input, an initializer or the output of any node`,
          'add the missing initializer or graph input, or fix the name',
        );
      }
    }
  }
  for (const o of graph.output) {
    if (!defined.has(o.name)) {
      throw new MissingValueError(`graph output "${o.name}"`, 'no node, input or initializer produces it', 'fix the output name');
    }
  }
}

