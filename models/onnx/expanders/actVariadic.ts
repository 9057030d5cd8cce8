// Max / Min / Sum / Mean (variadic, multidirectional broadcasting) onto canonical ops:
//   Max(a, b) = a + Relu(b − a),  Min(a, b) = a − Relu(a − b)   (more operands: a chain, left to right)
//   Sum = a chain of Add,  Mean = Sum · (1/n)
// A constant single-value operand of Max / Min becomes a Clip bound instead (exact on the integer words; ReLU6
// written as Min(Max(x, 0), 6) is two clamps). One operand is the identity (a Reshape to the same dims).

import { isFloatTensor } from '../../graph.ts';
import { broadcastDims } from '../../shape.ts';
import { Emitter } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

type Variadic = 'Max' | 'Min' | 'Sum' | 'Mean';

/** The operands' broadcast dims, failing with both shapes when they do not broadcast. */
function outputDims(ctx: RewriteContext, operands: readonly string[]): number[] {
  let dims: number[] = [];
  operands.forEach((name, i) => {
    const v = ctx.info(name);
    if (v.dtype !== 'float32') ctx.unsupported(`input "${name}" is ${v.dtype}, only float32 data is supported here`, 'cast it to float32 in the model');
    const b = broadcastDims(dims, v.dims);
    if (!b) ctx.fail(`operand shapes [${dims.join(', ')}] and [${v.dims.join(', ')}] (operand ${i} "${name}") do not broadcast`);
    dims = b;
  });
  return dims;
}

/** A constant operand holding one value, whose rank does not raise the output's: a Clip bound. */
function scalarBound(ctx: RewriteContext, name: string, rank: number): number | undefined {
  const t = ctx.constant(name);
  if (!t || !isFloatTensor(t) || t.data.length !== 1 || t.dims.length > rank) return undefined;
  return t.data[0];
}

function variadic(op: Variadic): Expander {
  return (ctx: RewriteContext) => {
    if (ctx.inputs.length < 1 || ctx.inputs.some((i) => i === '')) ctx.fail(`it has ${ctx.inputs.length} inputs with a gap, expected 1 or more`, 'the file is corrupt');
    const out = ctx.outputs[0];
    const dims = outputDims(ctx, ctx.inputs);
    const e = new Emitter(ctx);
    let operands = [...ctx.inputs];
    let bound: number | undefined;
    if (op === 'Max' || op === 'Min') {
      // Single-value constants become one Clip bound, provided a run-time operand carries the output's rank.
      const rest = operands.filter((n) => scalarBound(ctx, n, dims.length) === undefined);
      if (rest.length > 0 && outputDims(ctx, rest).length === dims.length && rest.length < operands.length) {
        const values = operands.filter((n) => !rest.includes(n)).map((n) => scalarBound(ctx, n, dims.length)!);
        bound = op === 'Max' ? Math.max(...values) : Math.min(...values);
        operands = rest;
      }
    }
    const last = operands.length - 1;
    const needsTail = bound !== undefined || op === 'Mean';
    const target = (i: number) => (i === last && !needsTail ? out : undefined);
    let acc = operands[0];
    if (operands.length === 1 && !needsTail) {
      acc = e.reshape(acc, dims, 'identity', out);
    }
    for (let i = 1; i < operands.length; i++) {
      const b = operands[i];
      if (op === 'Sum' || op === 'Mean') acc = e.op('Add', [acc, b], `add${i}`, target(i));
      else if (op === 'Max') {
        const r = e.op('Relu', [e.op('Sub', [b, acc], `diff${i}`)], `relu${i}`);
        acc = e.op('Add', [acc, r], `max${i}`, target(i));
      } else {
        const r = e.op('Relu', [e.op('Sub', [acc, b], `diff${i}`)], `relu${i}`);
        acc = e.op('Sub', [acc, r], `min${i}`, target(i));
      }
    }
    if (bound !== undefined) {
      const c = e.floats(op === 'Max' ? 'min' : 'max', [], Float32Array.of(bound));
      const inputs = op === 'Max' ? [acc, c] : [acc, '', c];
      // a broadcast constant may still shape the output: Clip keeps the run-time operand's dims, equal here
      acc = e.op('Clip', inputs, 'clip', out);
    }
    if (op === 'Mean') {
      const k = e.floats('inv_n', [], Float32Array.of(1 / ctx.inputs.length));
      e.op('Mul', [acc, k], 'mean', out);
    }
    return e.nodes;
  };
}

export const expandMax: Expander = variadic('Max');
export const expandMin: Expander = variadic('Min');
export const expandSum: Expander = variadic('Sum');
export const expandMean: Expander = variadic('Mean');
