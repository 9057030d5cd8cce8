/**
 * binary: elementwise add / sub / mul / div of two int32 tensors with numpy broadcasting.
 *   ta = requant(a, multA, shiftA)        tb = requant(b, multB, shiftB)
 *   t  = add32(ta, tb) | sub32(ta, tb) | mul32(ta, tb) | div32(ta, tb)
 *   y  = clamp32(requant(t, multOut, shiftOut), lo, hi)
 * Inputs: a, b (dims broadcast against each other). (mult, shift) = (1, 0) is the identity (requant of an
 * int32 by 1 with shift 0 is the word itself), and the lowering then emits no RQ for it.
 * The quantizers use it as: Add/Sub: operands rescaled onto a common fine grid (scale_out / 2^F), summed, the
 * sum rounded back; Mul: the raw product, one requant; Div: the numerator scaled up by 2^G·scale_a/(scale_b·
 * scale_out) then truncating division by the raw divisor (div32; 0 for a zero divisor), then rshr by G.
 * Lowering: a loop nest over the output (models/int/kernels/broadcastLoops.ts); per element LOAD(s), RQ(s),
 * the op, RQ, MAX, MIN, STORE and pointer steps.
 */
import { asm, type OpName } from '../../../vm/isa.ts';
import { add32, clamp32, div32, mul32, requant, sub32 } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import type { IntAttrs } from '../graph.ts';
import { broadcastIndex, broadcastShape, checkLoopDepth, emitBroadcastLoops, loopNest } from './broadcastLoops.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';

export type BinaryOp = IntAttrs['binary']['op'];

const APPLY: Record<BinaryOp, (a: number, b: number) => number> = { add: add32, sub: sub32, mul: mul32, div: div32 };
const VM_OP: Record<BinaryOp, OpName> = { add: 'ADD', sub: 'SUB', mul: 'MUL', div: 'DIV' };

const isIdentity = (mult: number, shift: number): boolean => mult === 1 && shift === 0;

function check(attrs: IntAttrs['binary'], inputDims: number[][]): number[] {
  if (inputDims.length !== 2) throw new KernelShapeError('binary', `needs 2 inputs, got ${inputDims.length}`);
  if (!(attrs.op in APPLY)) throw new KernelShapeError('binary', `unknown op "${attrs.op}"`);
  for (const [name, s] of [['shiftA', attrs.shiftA], ['shiftB', attrs.shiftB], ['shiftOut', attrs.shiftOut]] as const) {
    if (!Number.isInteger(s) || s < 0 || s > 63) throw new KernelShapeError('binary', `${name} must be an integer in [0, 63], got ${s}`);
  }
  const out = broadcastShape('binary', inputDims[0], inputDims[1]);
  checkLoopDepth('binary', loopNest(out, [...inputDims, out]), out);
  return out;
}

export const binary: IntKernel<'binary'> = {
  outputDims: check,

  execute({ attrs, inputDims, outDims }, [a, b]) {
    const { multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi } = attrs;
    const f = APPLY[attrs.op];
    const ia = broadcastIndex(inputDims[0], outDims);
    const ib = broadcastIndex(inputDims[1], outDims);
    const y = new Int32Array(ia.length);
    // An identity rescale is skipped (requant(v, mult, shift) = v for it), as the lowering skips its RQ.
    const idA = isIdentity(multA, shiftA);
    const idB = isIdentity(multB, shiftB);
    const idOut = isIdentity(multOut, shiftOut);
    for (let i = 0; i < y.length; i++) {
      const va = idA ? a[ia[i]] : requant(a[ia[i]], multA, shiftA);
      const vb = idB ? b[ib[i]] : requant(b[ib[i]], multB, shiftB);
      const t = f(va, vb);
      y[i] = clamp32(idOut ? t : requant(t, multOut, shiftOut), lo, hi);
    }
    return y;
  },

  lower({ attrs, inputDims, outDims }, layout) {
    const { multA, shiftA, multB, shiftB, multOut, shiftOut, lo, hi } = attrs;
    const nest = loopNest(outDims, [...inputDims, outDims]);
    const g = new Codegen();
    const multReg = (mult: number, shift: number): number => {
      if (isIdentity(mult, shift)) return -1;
      const r = g.reg();
      g.li(r, mult);
      return r;
    };
    const rqs = [
      { mult: multReg(multA, shiftA), shift: shiftA },
      { mult: multReg(multB, shiftB), shift: shiftB },
    ];
    const rqOut = multReg(multOut, shiftOut);
    const vals = [g.reg(), g.reg()];
    const t = g.reg();
    emitBroadcastLoops(g, nest, [...layout.inputs, layout.output], {
      enter(_level, streams, addr) {
        for (const k of streams) {
          if (k > 1) continue; // the output is only written
          const { reg, imm } = addr(k);
          g.emit(asm.LOAD(vals[k], reg, imm));
          if (rqs[k].mult >= 0) g.emit(asm.RQ(vals[k], vals[k], rqs[k].mult, rqs[k].shift));
        }
      },
      element(addr) {
        g.emit(asm.alu(VM_OP[attrs.op], t, vals[0], vals[1], 0));
        if (rqOut >= 0) g.emit(asm.RQ(t, t, rqOut, shiftOut));
        g.emit(asm.alu('MAX', t, t, 0, lo), asm.alu('MIN', t, t, 0, hi));
        const { reg, imm } = addr(2);
        g.emit(asm.STORE(reg, t, imm));
      },
    });
    return g.halt();
  },
};
