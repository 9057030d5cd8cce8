// What a rewrite (an opset adapter or an op expander) sees of one ONNX node, and what it returns: the nodes
// that replace it, in latest-opset canonical form, each of which the loader processes again (fold, expand,
// import). A rewrite never sees shapes it cannot know: every input value has static dims by then.

import type { Tensor, ValueInfo } from '../../graph.ts';
import type { AttrReader } from '../attributes.ts';
import type { WriterNode } from '../writer.ts';

/** A replacement node. Attributes use the writer's form; `name` must be unique (use ctx.fresh). */
export type RawNode = WriterNode & { name: string };

export interface RewriteContext {
  /** The node being rewritten. */
  readonly name: string;
  readonly op: string;
  /** `node "<name>" (<op>)`, for messages. */
  readonly subject: string;
  /** The opset the node is read at (the model's for original nodes, the latest for emitted ones). */
  readonly opset: number;
  /** Present inputs; trailing absent ('') inputs dropped, inner ones stay ''. */
  readonly inputs: readonly string[];
  /** Declared outputs; '' for an output the model does not use. */
  readonly outputs: readonly string[];
  /** The node's attributes. Read every one you accept: an unread attribute is refused by name afterwards. */
  readonly attrs: AttrReader;
  /** Static dims and dtype of any value defined so far (graph inputs, constants, earlier outputs). */
  info(value: string): ValueInfo;
  /** The value of a constant (initializer, Constant node or folded value), or undefined for run-time data. */
  constant(value: string): Tensor | undefined;
  /** Adds a constant; returns its (unique) name. */
  addConstant(hint: string, t: Tensor): string;
  /** Elements folded at load time so far in this model and its budget: one counter per load (fold/tensor.ts). */
  readonly folded: { elements: number; budget: number };
  /** A new unique value or node name derived from hint. */
  fresh(hint: string): string;
  /** ShapeError: shapes or attribute values that do not fit the op. */
  fail(why: string, fix?: string): never;
  /** UnsupportedOpError: valid ONNX that opml does not implement. */
  unsupported(why: string, fix?: string): never;
}

/**
 * Replaces one node by canonical nodes (ops the importers know, or ops other expanders handle). Returns nodes
 * in dependency order; together they must define every non-empty name in ctx.outputs.
 */
export type Expander = (ctx: RewriteContext) => RawNode[];
