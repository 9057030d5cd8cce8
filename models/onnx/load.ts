// ONNX bytes → FloatGraph: decode, collect constants (initializers and Constant nodes), check that every
// value is defined once, sort topologically, import every node (attributes + shape inference), prune.

import type { GraphProto, NodeProto } from 'onnx-buf';
import { InputShapeError, MissingValueError, OnnxLoadError, UnsupportedOpError, nodeSubject } from '../errors.ts';
import { isIntTensor, type FloatGraph, type FloatTensor, type GraphNode, type IntTensor, type Tensor, type ValueInfo } from '../graph.ts';
import { isSupportedOp, SUPPORTED_OPS, type OpType } from '../ops.ts';
import { AttrReader } from './attributes.ts';
import { decodeModel } from './decode.ts';
import { IMPORTERS, ImportContext, type Imported } from './importers/index.ts';
import { checkDims, tensorFromProto } from './tensors.ts';
import { topoSort } from './toposort.ts';
import { graphInput } from './values.ts';

export interface LoadOptions {
  /** Static dims for graph inputs whose shape is symbolic (e.g. a dynamic batch axis). */
  inputDims?: Record<string, number[]>;
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
  const nodes = collectNodes(graph, constants);
  checkDefinitions(graph, inputs, constants, nodes);

  const values = new Map<string, ValueInfo>();
  for (const v of inputs) values.set(v.name, v);
  const initializers = new Map<string, FloatTensor>();
  const intInitializers = new Map<string, IntTensor>();
  for (const [name, t] of constants) {
    values.set(name, { name, dims: t.dims, dtype: isIntTensor(t) ? 'int64' : 'float32' });
    if (isIntTensor(t)) intInitializers.set(name, t);
    else initializers.set(name, t);
  }

  const imported = topoSort(nodes).map((n) => importNode(n, opset, values, intInitializers));
  const outputs = graph.output.map((o) => o.name);

  // Drop constants no node reads (e.g. Reshape shapes folded into attributes).
  const used = new Set([...imported.flatMap((n) => n.inputs), ...outputs]);
  for (const map of [initializers, intInitializers] as Map<string, Tensor>[]) {
    for (const name of [...map.keys()]) {
      if (!used.has(name)) {
        map.delete(name);
        values.delete(name);
      }
    }
  }
  return { inputs, outputs, nodes: imported, initializers, intInitializers, values, opset };
}

/** Nodes with unique names; Constant nodes are folded into `constants`. */
function collectNodes(graph: GraphProto, constants: Map<string, Tensor>): PendingNode[] {
  const names = new Set<string>();
  const nodes: PendingNode[] = [];
  graph.node.forEach((proto, index) => {
    let name = proto.name || `${proto.opType}_${index}`;
    if (names.has(name)) name = `${name}_${index}`;
    names.add(name);
    const subject = nodeSubject(name, proto.opType);
    if (proto.domain !== '' && proto.domain !== 'ai.onnx') {
      throw new UnsupportedOpError(subject, `custom domain "${proto.domain}" is not supported`, 'export with standard ONNX ops only');
    }
    if (proto.opType === 'Constant') {
      const output = proto.output[0];
      if (!output) throw new OnnxLoadError(subject, 'it has no output', 'the file is corrupt');
      if (constants.has(output)) throw new OnnxLoadError(subject, `value "${output}" is defined twice`, 'the file is corrupt');
      constants.set(output, constantValue(subject, AttrReader.fromProto(subject, proto.attribute)));
      return;
    }
    if (!isSupportedOp(proto.opType)) {
      throw new UnsupportedOpError(
        subject,
        `op ${proto.opType} is not supported`,
        `rewrite the model with supported ops (${SUPPORTED_OPS.join(', ')}, Constant)`,
      );
    }
    nodes.push({ name, op: proto.opType, inputs: [...proto.input], outputs: proto.output.filter((o) => o !== ''), proto });
  });
  return nodes;
}

function constantValue(subject: string, attrs: AttrReader): Tensor {
  const t = attrs.tensor('value');
  const f = attrs.has('value_float') ? attrs.float('value_float', 0) : undefined;
  const fs = attrs.floats('value_floats');
  const i = attrs.has('value_int') ? attrs.int('value_int', 0) : undefined;
  const is = attrs.ints('value_ints');
  const unread = attrs.unread();
  if (unread.length > 0) {
    throw new UnsupportedOpError(subject, `attribute "${unread[0]}" is not supported`, 'use value, value_float(s) or value_int(s)');
  }
  if (t) return t;
  if (f !== undefined) return { dims: [], data: Float32Array.of(f) };
  if (fs) return { dims: [fs.length], data: Float32Array.from(fs) };
  if (i !== undefined) return { dims: [], data: Int32Array.of(i) };
  if (is) return { dims: [is.length], data: Int32Array.from(is) };
  throw new OnnxLoadError(subject, 'it has no value attribute', 'the file is corrupt');
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

function importNode(n: PendingNode, opset: number, values: Map<string, ValueInfo>, ints: Map<string, IntTensor>): GraphNode {
  const op = n.op as OpType;
  const attrs = AttrReader.fromProto(nodeSubject(n.name, op), n.proto.attribute);
  const ctx = new ImportContext(n.name, op, opset, n.proto.input, attrs, values, ints);
  const result = (IMPORTERS[op] as (c: ImportContext) => Imported<OpType>)(ctx);
  const unread = attrs.unread();
  if (unread.length > 0) {
    ctx.unsupported(`attribute "${unread[0]}" is not supported`, 'remove it or re-export without it');
  }
  const declared = n.proto.output;
  if (!declared[0]) ctx.fail('its first output has no name', 'the file is corrupt');
  const extra = declared.findIndex((o, i) => i >= result.outputs.length && o !== '');
  if (extra >= 0) {
    ctx.unsupported(`output ${extra} ("${declared[extra]}") is not supported`, 'export without that output');
  }
  const outputs = declared.slice(0, result.outputs.length);
  outputs.forEach((name, i) => {
    const { dims, dtype } = result.outputs[i];
    checkDims(`${ctx.subject} output "${name}"`, dims);
    values.set(name, { name, dims, dtype });
  });
  const inputs = result.inputs ?? ctx.inputNames;
  return { name: n.name, op, inputs, outputs, attrs: result.attrs } as GraphNode;
}
