// The per-node loader pipeline (docs/MODELS.md, "The loader"): every node, in topological order, is
//   1. adapted from the model's opset to its latest form (opsets/),
//   2. folded when its inputs are load-time constants (fold/; Shape needs only static dims),
//   3. turned into an alias when it does nothing at inference (Identity, Dropout, same-kind Cast),
//   4. expanded into canonical ops (expanders/), or
//   5. imported as a canonical op (importers/).
// Nodes emitted by 1 and 4 go through the pipeline again at the latest opset. `If` with a constant
// condition is inlined (its branch's nodes get fresh names; outer-scope references are kept).

import type { GraphProto, NodeProto } from 'onnx-buf';
import { MissingValueError, ShapeError, UnsupportedOpError, nodeSubject, printable } from '../errors.ts';
import { isIntTensor, type FloatTensor, type GraphNode, type IntTensor, type Tensor, type ValueInfo } from '../graph.ts';
import { KERNELS, type Kernel } from '../float/kernels/index.ts';
import { isSupportedOp, type OpType } from '../ops.ts';
import { AttrReader } from './attributes.ts';
import { MAX_OPSET } from './decode.ts';
import { EXPANDERS, type RawNode } from './expanders/index.ts';
import { ALIASES, FOLDERS } from './fold/index.ts';
import { chargeFolded, FOLD_BUDGET } from './fold/tensor.ts';
import { IMPORTERS, ImportContext, type Imported } from './importers/index.ts';
import { ADAPTERS, type AdapterContext } from './opsets/index.ts';
import { isFoldOnlyOp, isLoadableOp } from './opsets/loadable.ts';
import { spatialZeroPads, withExtraPads } from './padIntoConv.ts';
import { checkDims, saturateInt32, tensorFromProto } from './tensors.ts';
import { topoSort } from './toposort.ts';
import { nodeProto } from './writer.ts';

export const LATEST_OPSET = MAX_OPSET;
const MAX_DEPTH = 64;

/** Where to look for the ops opml loads, for "not supported" messages. */
const COVERAGE = 'see docs/MODELS.md "Op × opset coverage" for the ops opml loads, or re-export without it';

class NodeContext implements AdapterContext {
  readonly subject: string;

  constructor(
    private readonly p: Pipeline,
    readonly name: string,
    readonly op: string,
    readonly opset: number,
    readonly inputs: readonly string[],
    readonly outputs: readonly string[],
    readonly attrs: AttrReader,
  ) {
    this.subject = nodeSubject(name, op);
  }

  info(value: string): ValueInfo {
    if (!value) this.fail('a required input is missing', 'the file is corrupt');
    const v = this.p.values.get(value);
    if (!v) throw new MissingValueError(this.subject, `value "${printable(value)}" is not defined`, 'the file is corrupt');
    return v;
  }

  constant(value: string): Tensor | undefined {
    return this.p.constant(value);
  }

  addConstant(hint: string, t: Tensor): string {
    const name = this.p.fresh(hint);
    this.p.defineConstant(this.subject, name, t);
    return name;
  }

  get folded(): { elements: number; budget: number } {
    return this.p.folded;
  }

  fresh(hint: string): string {
    return this.p.fresh(hint);
  }

  fail(why: string, fix?: string): never {
    throw new ShapeError(this.subject, why, fix);
  }

  unsupported(why: string, fix?: string): never {
    throw new UnsupportedOpError(this.subject, why, fix);
  }

  isUsed(value: string): boolean {
    return this.p.isUsed(value);
  }

  /** Refuses attributes nobody read. */
  checkUnread(): void {
    const unread = this.attrs.unread();
    if (unread.length > 0) this.unsupported(`attribute "${unread[0]}" is not supported`, 'remove it or re-export without it');
  }
}

/** The first node, in a node's subgraphs (recursively), that opml cannot load: its path and op. */
export function unloadableInside(proto: NodeProto, prefix = ''): { path: string; op: string } | undefined {
  for (const a of proto.attribute) {
    const graphs = a.g ? [a.g] : a.graphs;
    for (const g of graphs) {
      const found = unloadableIn(g, `${prefix}${a.name}/`);
      if (found) return found;
    }
  }
  return undefined;
}

function unloadableIn(g: GraphProto, prefix: string): { path: string; op: string } | undefined {
  for (const [i, n] of g.node.entries()) {
    const path = `${prefix}${n.name || `${n.opType}_${i}`}`;
    if ((n.domain !== '' && n.domain !== 'ai.onnx') || !isLoadableOp(n.opType)) return { path, op: n.opType };
    const inner = unloadableInside(n, `${path}/`);
    if (inner) return inner;
  }
  return undefined;
}

/** Refuses a node opml cannot load, naming the innermost culprit inside its subgraphs first. */
export function refuseUnloadable(name: string, proto: NodeProto): never {
  const subject = nodeSubject(name, proto.opType);
  const inner = unloadableInside(proto);
  if (inner) {
    throw new UnsupportedOpError(`${nodeSubject(inner.path, inner.op)} inside ${subject}`, `op ${printable(inner.op, 40)} is not supported`, COVERAGE);
  }
  if (proto.opType === 'Loop' || proto.opType === 'Scan') {
    throw new UnsupportedOpError(subject, `${proto.opType} is not supported (opml runs graphs of fixed shape without control flow)`, 'unroll it at export (trace with a fixed trip count)');
  }
  throw new UnsupportedOpError(subject, `op ${printable(proto.opType, 40)} is not supported`, COVERAGE);
}

export class Pipeline {
  readonly values = new Map<string, ValueInfo>();
  readonly floats = new Map<string, FloatTensor>();
  readonly ints = new Map<string, IntTensor>();
  readonly nodes: GraphNode[] = [];
  /** Output name → the value it stands for (aliases and inlined If outputs). */
  private readonly alias = new Map<string, string>();
  /** Renamings of inlined subgraph values, innermost last. */
  private readonly scopes: Map<string, string>[] = [];
  private readonly names = new Set<string>();
  /** Elements of every constant folded so far, and how many the model may fold (fold/tensor.ts foldBudget). */
  readonly folded: { elements: number; budget: number };
  /** Pad outputs folded into the Convs that read them: their [top, left, bottom, right] pads. */
  private readonly convPads = new Map<string, number[]>();

  constructor(
    readonly opset: number,
    private readonly used: Set<string>,
    /** Values only top-level Convs read as X (models/onnx/padIntoConv.ts). */
    private readonly convOnly: Set<string> = new Set(),
    foldBudget = FOLD_BUDGET,
  ) {
    this.folded = { elements: 0, budget: foldBudget };
  }

  reserve(name: string): void {
    this.names.add(name);
  }

  fresh(hint: string): string {
    let name = hint;
    for (let k = 1; this.names.has(name); k++) name = `${hint}_${k}`;
    this.names.add(name);
    return name;
  }

  isUsed(value: string): boolean {
    return this.used.has(value);
  }

  /** The value a name stands for now (through subgraph renamings and aliases). */
  resolve(name: string): string {
    let n = name;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const r = this.scopes[i].get(n);
      if (r !== undefined) {
        n = r;
        break;
      }
    }
    for (let hops = 0; this.alias.has(n) && hops < 1000; hops++) n = this.alias.get(n)!;
    return n;
  }

  constant(name: string): Tensor | undefined {
    return this.floats.get(name) ?? this.ints.get(name);
  }

  defineValue(subject: string, info: ValueInfo): void {
    checkDims(`${subject} output "${info.name}"`, info.dims);
    this.values.set(info.name, info);
  }

  defineConstant(subject: string, name: string, t: Tensor): void {
    this.defineValue(subject, { name, dims: t.dims, dtype: isIntTensor(t) ? 'int64' : 'float32' });
    if (isIntTensor(t)) this.ints.set(name, t);
    else this.floats.set(name, t);
  }

  /** Runs one node (original or emitted) through the pipeline. */
  run(proto: NodeProto, opset: number, depth = 0): void {
    const extra = proto.opType === 'Conv' && this.scopes.length === 0 ? this.convPads.get(proto.input[0]) : undefined;
    if (extra) proto = withExtraPads(proto, extra);
    const name = proto.name;
    const op = proto.opType;
    const subject = nodeSubject(name, op);
    if (depth > MAX_DEPTH) throw new UnsupportedOpError(subject, `rewrites nest more than ${MAX_DEPTH} deep`, 'simplify the model');
    if (proto.domain !== '' && proto.domain !== 'ai.onnx') {
      throw new UnsupportedOpError(subject, `custom domain "${printable(proto.domain)}" is not supported`, 'export with standard ONNX ops only');
    }
    const inputs = proto.input.map((i) => (i === '' ? '' : this.resolve(i)));
    while (inputs.length > 0 && inputs[inputs.length - 1] === '') inputs.pop();
    for (const i of inputs) {
      if (i !== '' && !this.values.has(i)) {
        throw new MissingValueError(subject, `input "${printable(i)}" is not a graph input, an initializer or the output of any node`, 'add the missing initializer or graph input, or fix the name');
      }
    }
    const outputs = [...proto.output];
    const context = () => new NodeContext(this, name, op, opset, inputs, outputs, AttrReader.fromProto(subject, proto.attribute));

    if (op === 'Constant') {
      if (!outputs[0]) throw new ShapeError(subject, 'it has no output', 'the file is corrupt');
      this.defineConstant(subject, outputs[0], constantValue(context()));
      return;
    }
    const adapter = ADAPTERS[op];
    if (adapter && opset < adapter.before) {
      const ctx = context();
      const emitted = adapter.adapt(ctx);
      ctx.checkUnread();
      return this.runAll(emitted, depth);
    }
    if (op === 'Pad' && this.scopes.length === 0 && outputs[0] && inputs[0] && this.convOnly.has(outputs[0])) {
      const pads = spatialZeroPads(proto, this.values.get(inputs[0])?.dims.length ?? 0, (v) => this.constant(this.resolve(v)));
      if (pads) {
        this.alias.set(outputs[0], inputs[0]);
        this.convPads.set(outputs[0], pads);
        return;
      }
    }
    const folder = FOLDERS[op];
    if (folder) {
      const ctx = context();
      const folded = folder(ctx);
      if (folded) {
        ctx.checkUnread();
        outputs.forEach((o, i) => {
          if (o === '') return;
          if (!folded[i]) ctx.unsupported(`output ${i} ("${printable(o)}") is not supported`, 'export without that output');
          this.defineConstant(subject, o, folded[i]);
        });
        return;
      }
    }
    if (isSupportedOp(op) && inputs.length > 0 && inputs.every((i) => i === '' || this.constant(i))) {
      return this.foldCanonical(context(), op);
    }
    const aliaser = ALIASES[op];
    if (aliaser) {
      const ctx = context();
      const { source, constants } = aliaser(ctx);
      ctx.checkUnread();
      if (outputs[0]) this.alias.set(outputs[0], source);
      for (const [i, t] of constants ?? []) if (outputs[i]) this.defineConstant(subject, outputs[i], t);
      return;
    }
    const expander = EXPANDERS[op];
    if (expander) {
      const ctx = context();
      const emitted = expander(ctx);
      ctx.checkUnread();
      return this.runAll(emitted, depth);
    }
    if (isSupportedOp(op)) {
      this.nodes.push(this.importNode(context(), op));
      return;
    }
    if (op === 'If') return this.inlineIf(context(), proto, depth);
    if (isFoldOnlyOp(op)) {
      context().unsupported(
        `${op} of run-time values is not supported (opml evaluates it only when its inputs are load-time constants)`,
        'export with static shapes (fixed input dims, no dynamic axes) or constant-fold the model (onnxsim)',
      );
    }
    refuseUnloadable(name, proto);
  }

  private runAll(emitted: RawNode[], depth: number): void {
    for (const n of emitted) {
      for (const o of n.outputs) if (o !== '') this.reserve(o);
      this.run(nodeProto(n), LATEST_OPSET, depth + 1);
    }
  }

  private importContext(ctx: NodeContext): ImportContext {
    return new ImportContext(ctx.name, ctx.op, ctx.opset, ctx.inputs, ctx.attrs, this.values, this.ints, this.floats);
  }

  private imported(ctx: NodeContext, op: OpType): { node: GraphNode; result: Imported<OpType> } {
    const ictx = this.importContext(ctx);
    const result = (IMPORTERS[op] as (c: ImportContext) => Imported<OpType>)(ictx);
    ctx.checkUnread();
    const declared = ctx.outputs;
    if (!declared[0]) ctx.fail('its first output has no name', 'the file is corrupt');
    const extra = declared.findIndex((o, i) => i >= result.outputs.length && o !== '');
    if (extra >= 0) ctx.unsupported(`output ${extra} ("${printable(declared[extra])}") is not supported`, 'export without that output');
    const outputs = declared.slice(0, result.outputs.length);
    const inputs = result.inputs ?? ictx.inputNames;
    return { node: { name: ctx.name, op, inputs, outputs, attrs: result.attrs } as GraphNode, result };
  }

  private importNode(ctx: NodeContext, op: OpType): GraphNode {
    const { node, result } = this.imported(ctx, op);
    node.outputs.forEach((o, i) => this.defineValue(ctx.subject, { name: o, dims: result.outputs[i].dims, dtype: result.outputs[i].dtype }));
    return node;
  }

  /** A canonical op on constants: imported for its attributes and shapes, then run by the float kernel. */
  private foldCanonical(ctx: NodeContext, op: OpType): void {
    const { node, result } = this.imported(ctx, op);
    const kernel = KERNELS[op] as Kernel<OpType>;
    const args = node.inputs.map((i) => this.constant(i)!);
    const out = kernel(node, args, result.outputs[0].dims);
    chargeFolded(ctx, [out]);
    this.defineConstant(ctx.subject, node.outputs[0], out);
  }

  private inlineIf(ctx: NodeContext, proto: NodeProto, depth: number): void {
    const cond = ctx.inputs[0] ? ctx.constant(ctx.inputs[0]) : undefined;
    if (!cond) {
      ctx.unsupported(
        `its condition "${printable(ctx.inputs[0] ?? '')}" is computed at run time (opml inlines If only when the condition is a load-time constant)`,
        'export with the branch taken fixed (trace instead of script, or static input dims)',
      );
    }
    if (cond.data.length !== 1) ctx.fail(`its condition holds ${cond.data.length} values, expected 1`);
    const key = cond.data[0] !== 0 ? 'then_branch' : 'else_branch';
    const branches = { then_branch: ctx.attrs.graph('then_branch'), else_branch: ctx.attrs.graph('else_branch') };
    ctx.checkUnread();
    const g = branches[key];
    if (!g) ctx.fail(`attribute ${key} is missing`, 'the file is corrupt');
    if (g.output.length !== ctx.outputs.length) ctx.fail(`${key} has ${g.output.length} outputs, the node ${ctx.outputs.length}`, 'the file is corrupt');
    const inner = unloadableIn(g, `${key}/`);
    if (inner) {
      throw new UnsupportedOpError(`${nodeSubject(inner.path, inner.op)} inside ${ctx.subject}`, `op ${printable(inner.op, 40)} is not supported`, COVERAGE);
    }
    const scope = new Map<string, string>();
    const rename = (value: string) => {
      const r = this.fresh(`${ctx.name}/${value}`);
      scope.set(value, r);
      if (this.used.has(value)) this.used.add(r);
      return r;
    };
    for (const t of g.initializer) this.defineConstant(ctx.subject, rename(t.name), tensorFromProto(t, `${ctx.subject} ${key} initializer "${printable(t.name)}"`));
    const nodes = g.node.map((n, i) => ({ name: n.name || `${n.opType}_${i}`, op: n.opType, inputs: n.input, outputs: n.output, proto: n }));
    this.scopes.push(scope);
    try {
      for (const n of topoSort(nodes)) {
        const copy = { ...n.proto, name: this.fresh(`${ctx.name}/${n.name}`), output: n.proto.output.map((o) => (o === '' ? '' : rename(o))) };
        this.run(copy as NodeProto, this.opset, depth + 1);
      }
      g.output.forEach((o, k) => {
        const source = this.resolve(o.name);
        if (!this.values.has(source)) {
          throw new MissingValueError(ctx.subject, `${key} output "${printable(o.name)}" is not produced by the branch or the outer graph`, 'the file is corrupt');
        }
        if (ctx.outputs[k]) this.alias.set(ctx.outputs[k], source);
      });
    } finally {
      this.scopes.pop();
    }
  }
}

function constantValue(ctx: NodeContext): Tensor {
  const t = ctx.attrs.tensor('value');
  const f = ctx.attrs.has('value_float') ? ctx.attrs.float('value_float', 0) : undefined;
  const fs = ctx.attrs.floats('value_floats');
  const i = ctx.attrs.has('value_int') ? ctx.attrs.int('value_int', 0) : undefined;
  const is = ctx.attrs.ints('value_ints');
  const unread = ctx.attrs.unread();
  if (unread.length > 0) ctx.unsupported(`attribute "${unread[0]}" is not supported`, 'use value, value_float(s) or value_int(s)');
  if (t) return t;
  if (f !== undefined) return { dims: [], data: Float32Array.of(f) };
  if (fs) return { dims: [fs.length], data: Float32Array.from(fs) };
  if (i !== undefined) return { dims: [], data: Int32Array.of(saturateInt32(i)) };
  if (is) return { dims: [is.length], data: Int32Array.from(is, saturateInt32) };
  ctx.fail('it has no value attribute', 'the file is corrupt');
}
