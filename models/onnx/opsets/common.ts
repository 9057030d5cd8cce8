// Helpers for opset adapters: pass attributes on, turn attribute values into constant inputs.

import type { RawNode, RewriteContext } from '../expanders/types.ts';
import { saturateInt32 } from '../tensors.ts';
import type { WriterAttr } from '../writer.ts';

/** Every attribute not in `skip`, in the writer's form (marked read). */
export function passAttrs(ctx: RewriteContext, ...skip: string[]): Record<string, WriterAttr> {
  const out: Record<string, WriterAttr> = {};
  for (const name of ctx.attrs.names()) {
    if (skip.includes(name)) continue;
    const a = ctx.attrs.raw(name)!;
    switch (a.type) {
      case 'int': out[name] = { int: a.value }; break;
      case 'float': out[name] = { float: a.value }; break;
      case 'string': out[name] = { string: a.value }; break;
      case 'ints': out[name] = { ints: a.value }; break;
      case 'floats': out[name] = { floats: a.value }; break;
      case 'tensor': out[name] = { tensor: { dims: a.value.dims, data: a.value.data } }; break;
      default: ctx.unsupported(`attribute "${name}" of type ${a.type} cannot be adapted`, 'export with opset 13 or later');
    }
  }
  return out;
}

/** An int64 constant input holding `values` (saturated to int32: INT64_MAX "to the end" stays the largest). */
export function intsInput(ctx: RewriteContext, hint: string, values: readonly number[]): string {
  return ctx.addConstant(`${ctx.name}/${hint}`, { dims: [values.length], data: Int32Array.from(values, saturateInt32) });
}

/** A float constant input (scalar unless dims given). */
export function floatInput(ctx: RewriteContext, hint: string, values: readonly number[], dims: number[] = []): string {
  return ctx.addConstant(`${ctx.name}/${hint}`, { dims, data: Float32Array.from(values) });
}

/** The same op at the latest opset, with the given inputs and attributes and the node's outputs. */
export function latest(ctx: RewriteContext, inputs: string[], attrs: Record<string, WriterAttr>, op = ctx.op): RawNode {
  return { op, name: ctx.name, inputs, outputs: [...ctx.outputs], attrs };
}
