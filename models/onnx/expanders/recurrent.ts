// LSTM and GRU → unrolled over the static sequence length into canonical ops. Per direction and gate: one
// MatMul X·W_gᵀ over the whole sequence (+ the gate's biases via Add), then per step a Gather of x_t's row, a
// MatMul h·R_gᵀ, Add, Sigmoid/Tanh, and the Mul/Add/Sub of the cell update; Y / Y_h / Y_c by Reshape + Concat.
// Each gate keeps its own MatMul, so each gets its own quantization scale. Gate order (ONNX): LSTM i, o, f, c;
// GRU z, r, h. Default activations only; clip, activation_alpha/beta, input_forget and ragged sequence_lens
// are refused by name.

import type { FloatTensor } from '../../graph.ts';
import { constFloats, constInts, dataDims, Emitter } from './sliceOps.ts';
import type { Expander, RewriteContext } from './types.ts';

type Kind = 'LSTM' | 'GRU';

const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'] };
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3 };

interface Geometry {
  kind: Kind;
  seq: number;
  batch: number;
  hidden: number;
  dirs: number;
  layout: number;
  /** Axis of X (and of X·Wᵀ) that is time; axis of initial_h / Y_h that is the direction. */
  timeAxis: number;
  dirAxis: number;
}

/** Rows [g·H, (g+1)·H) of a [dirs, G·H, K] tensor for direction d, transposed to [K, H]. */
function gateT(t: FloatTensor, d: number, g: number, hidden: number): Float32Array {
  const [, rows, k] = t.dims;
  const out = new Float32Array(k * hidden);
  for (let r = 0; r < hidden; r++) {
    for (let c = 0; c < k; c++) out[c * hidden + r] = t.data[(d * rows + g * hidden + r) * k + c];
  }
  return out;
}

/** Bias slice g of a [dirs, 2·G·H] tensor: which = 0 for Wb, 1 for Rb. */
function biasSlice(b: FloatTensor | undefined, d: number, g: number, which: number, gates: number, hidden: number): Float32Array {
  if (!b) return new Float32Array(hidden);
  const off = d * 2 * gates * hidden + which * gates * hidden + g * hidden;
  return b.data.slice(off, off + hidden);
}

function readAttrs(ctx: RewriteContext, kind: Kind, wDims: number[]): { dirs: number; reverse: boolean[]; hidden: number; layout: number; lbr: boolean } {
  const direction = ctx.attrs.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) ctx.fail(`direction "${direction}" is not valid`, 'use forward, reverse or bidirectional');
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const reverse = direction === 'bidirectional' ? [false, true] : [direction === 'reverse'];
  const acts = ctx.attrs.strings('activations');
  if (acts !== undefined) {
    const want = Array.from({ length: dirs }, () => DEFAULT_ACTIVATIONS[kind]).flat();
    if (acts.length !== want.length || acts.some((a, i) => a.toLowerCase() !== want[i].toLowerCase())) {
      ctx.unsupported(`activations [${acts.join(', ')}] are not supported`, `only the defaults (${want.join(', ')}) are`);
    }
  }
  for (const a of ['activation_alpha', 'activation_beta']) {
    if (ctx.attrs.has(a)) ctx.unsupported(`attribute ${a} is not supported`, 'only the default activations are');
    ctx.attrs.ignore(a);
  }
  if (ctx.attrs.has('clip')) ctx.unsupported('attribute clip is not supported', 'export without cell clipping');
  ctx.attrs.ignore('clip');
  const layout = ctx.attrs.int('layout', 0);
  if (layout !== 0 && layout !== 1) ctx.fail(`layout ${layout} is not valid`, 'use 0 or 1');
  let lbr = false;
  if (kind === 'LSTM') {
    if (ctx.attrs.int('input_forget', 0) !== 0) ctx.unsupported('input_forget=1 is not supported', 'export with input_forget=0');
  } else {
    lbr = ctx.attrs.int('linear_before_reset', 0) !== 0;
  }
  const gates = GATES[kind];
  const hidden = ctx.attrs.int('hidden_size', Math.floor(wDims[1] / gates));
  if (wDims.length !== 3 || wDims[0] !== dirs || wDims[1] !== gates * hidden) {
    ctx.fail(`W is [${wDims.join(', ')}], expected [${dirs}, ${gates * hidden}, input_size]`, 'fix hidden_size or direction');
  }
  return { dirs, reverse, hidden, layout, lbr };
}

function expandRecurrent(ctx: RewriteContext, kind: Kind): ReturnType<Expander> {
  const xDims = dataDims(ctx, 0, 'X');
  const W = constFloats(ctx, 1, 'W');
  const R = constFloats(ctx, 2, 'R');
  if (!W || !R) ctx.fail('inputs W and R are required', 'the file is corrupt');
  const { dirs, reverse, hidden, layout, lbr } = readAttrs(ctx, kind, W.dims);
  const gates = GATES[kind];
  if (xDims.length !== 3) ctx.fail(`X is [${xDims.join(', ')}], expected rank 3`, 'fix the input shape');
  const [seq, batch, input] = layout === 0 ? xDims : [xDims[1], xDims[0], xDims[2]];
  if (seq < 1 || batch < 1) ctx.unsupported(`X [${xDims.join(', ')}] is empty`, 'give a non-empty sequence');
  if (W.dims[2] !== input) ctx.fail(`W is [${W.dims.join(', ')}] but X has input size ${input}`, 'fix the shapes');
  if (R.dims.join() !== [dirs, gates * hidden, hidden].join()) ctx.fail(`R is [${R.dims.join(', ')}], expected [${dirs}, ${gates * hidden}, ${hidden}]`);
  const B = constFloats(ctx, 3, 'B');
  if (B && B.dims.join() !== [dirs, 2 * gates * hidden].join()) ctx.fail(`B is [${B.dims.join(', ')}], expected [${dirs}, ${2 * gates * hidden}]`);
  const lens = constInts(ctx, 4, 'sequence_lens');
  if (lens && (lens.length !== batch || lens.some((l) => l !== seq))) {
    ctx.unsupported(`sequence_lens [${lens.join(', ')}] are not all the full length ${seq}`, 'pad the sequences to one length, or drop sequence_lens');
  }
  const stateDims = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const state = (i: number, role: string): string | undefined => {
    const name = ctx.inputs[i];
    if (name === undefined || name === '') return undefined;
    const d = dataDims(ctx, i, role);
    if (d.join() !== stateDims.join()) ctx.fail(`${role} is [${d.join(', ')}], expected [${stateDims.join(', ')}]`);
    return name;
  };
  const h0 = state(5, 'initial_h');
  const c0 = kind === 'LSTM' ? state(6, 'initial_c') : undefined;
  const P = kind === 'LSTM' ? constFloats(ctx, 7, 'P') : undefined;
  if (P && P.dims.join() !== [dirs, 3 * hidden].join()) ctx.fail(`P is [${P.dims.join(', ')}], expected [${dirs}, ${3 * hidden}]`);
  const g: Geometry = { kind, seq, batch, hidden, dirs, layout, timeAxis: layout === 0 ? 0 : 1, dirAxis: layout === 0 ? 0 : 1 };

  const e = new Emitter(ctx);
  const X = ctx.inputs[0];
  const hs: string[][] = [];
  const lastH: string[] = [];
  const lastC: string[] = [];
  for (let d = 0; d < dirs; d++) {
    const tag = dirs === 2 ? `d${d}_` : '';
    const rT = Array.from({ length: gates }, (_, k) => e.floats(`${tag}R${k}T`, [hidden, hidden], gateT(R, d, k, hidden)));
    // Per gate over the whole sequence: X·W_gᵀ + biases.
    const xw = Array.from({ length: gates }, (_, k) => {
      const prod = e.op('MatMul', [X, e.floats(`${tag}W${k}T`, [input, hidden], gateT(W, d, k, hidden))], `${tag}xw${k}`);
      if (!B) return prod;
      const bias = biasSlice(B, d, k, 0, gates, hidden);
      const rb = biasSlice(B, d, k, 1, gates, hidden);
      const splitRb = kind === 'GRU' && lbr && k === 2;
      if (!splitRb) for (let j = 0; j < hidden; j++) bias[j] += rb[j];
      return e.op('Add', [prod, e.floats(`${tag}b${k}`, [hidden], bias)], `${tag}xwb${k}`);
    });
    const rbh = kind === 'GRU' && lbr && B ? biasSlice(B, d, 2, 1, gates, hidden) : undefined;
    const rbhName = rbh && rbh.some((v) => v !== 0) ? e.floats(`${tag}Rbh`, [hidden], rbh) : undefined;
    const peep = P ? [0, 1, 2].map((k) => e.floats(`${tag}P${k}`, [hidden], P.data.slice((d * 3 + k) * hidden, (d * 3 + k + 1) * hidden))) : undefined;
    let h = h0 ? e.gather(h0, g.dirAxis, [d], `${tag}h0`, undefined, true) : undefined;
    let c = c0 ? e.gather(c0, g.dirAxis, [d], `${tag}c0`, undefined, true) : undefined;
    const out: string[] = new Array(seq);
    for (let s = 0; s < seq; s++) {
      const t = reverse[d] ? seq - 1 - s : s;
      const p = `${tag}t${t}_`;
      const pre = (k: number, withH: boolean): string => {
        const x = e.gather(xw[k], g.timeAxis, [t], `${p}x${k}`, undefined, true);
        return h && withH ? e.op('Add', [x, e.op('MatMul', [h, rT[k]], `${p}hr${k}`)], `${p}pre${k}`) : x;
      };
      if (kind === 'LSTM') {
        let pi = pre(0, true);
        let pf = pre(2, true);
        if (peep && c) {
          pi = e.op('Add', [pi, e.op('Mul', [c, peep[0]], `${p}pci`)], `${p}prei`);
          pf = e.op('Add', [pf, e.op('Mul', [c, peep[2]], `${p}pcf`)], `${p}pref`);
        }
        const i = e.op('Sigmoid', [pi], `${p}i`);
        const f = e.op('Sigmoid', [pf], `${p}f`);
        const cc = e.op('Tanh', [pre(3, true)], `${p}g`);
        const ig = e.op('Mul', [i, cc], `${p}ig`);
        const C = c ? e.op('Add', [e.op('Mul', [f, c], `${p}fc`), ig], `${p}c`) : ig;
        let po = pre(1, true);
        if (peep) po = e.op('Add', [po, e.op('Mul', [C, peep[1]], `${p}pco`)], `${p}preo`);
        const o = e.op('Sigmoid', [po], `${p}o`);
        h = e.op('Mul', [o, e.op('Tanh', [C], `${p}tc`)], `${p}h`);
        c = C;
      } else {
        const z = e.op('Sigmoid', [pre(0, true)], `${p}z`);
        const r = (): string => e.op('Sigmoid', [pre(1, true)], `${p}r`); // only where the step uses it
        let ph = pre(2, false);
        if (!lbr && h) {
          const rh = e.op('Mul', [r(), h], `${p}rh`);
          ph = e.op('Add', [ph, e.op('MatMul', [rh, rT[2]], `${p}rhr`)], `${p}preh`);
        } else if (lbr) {
          let inner = h ? e.op('MatMul', [h, rT[2]], `${p}hr2`) : undefined;
          if (inner && rbhName) inner = e.op('Add', [inner, rbhName], `${p}hrb`);
          inner ??= rbhName;
          if (inner) ph = e.op('Add', [ph, e.op('Mul', [r(), inner], `${p}rin`)], `${p}preh`);
        }
        const hh = e.op('Tanh', [ph], `${p}hh`);
        h = h
          ? e.op('Add', [hh, e.op('Mul', [z, e.op('Sub', [h, hh], `${p}dh`)], `${p}zdh`)], `${p}h`)
          : e.op('Sub', [hh, e.op('Mul', [z, hh], `${p}zh`)], `${p}h`);
      }
      out[t] = h!;
    }
    hs.push(out);
    lastH.push(h!);
    if (c) lastC.push(c);
  }
  emitOutputs(ctx, e, g, hs, lastH, lastC);
  return e.nodes;
}

/** Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]), Y_h / Y_c [dirs, batch, H] ([batch, dirs, H]). */
function emitOutputs(ctx: RewriteContext, e: Emitter, g: Geometry, hs: string[][], lastH: string[], lastC: string[]): void {
  const [yName, yhName, ycName] = [ctx.outputs[0], ctx.outputs[1], g.kind === 'LSTM' ? ctx.outputs[2] : undefined];
  const { seq, batch, hidden, dirs, layout } = g;
  if (yName) {
    const unit = layout === 0 ? [1, 1, batch, hidden] : [batch, 1, 1, hidden];
    const [tAxis, dAxis] = layout === 0 ? [0, 1] : [1, 2];
    const steps = Array.from({ length: seq }, (_, t) => {
      const last = seq === 1 ? yName : undefined;
      const parts = hs.map((dir, d) => e.reshape(dir[t], unit, `y_t${t}_d${d}`, dirs === 1 ? last : undefined));
      return dirs === 1 ? parts[0] : e.concat(parts, dAxis, `y_t${t}`, last);
    });
    if (seq > 1) e.concat(steps, tAxis, 'y', yName);
  }
  const finals = (list: string[], name: string | undefined, hint: string): void => {
    if (!name) return;
    const unit = layout === 0 ? [1, batch, hidden] : [batch, 1, hidden];
    const parts = list.map((v, d) => e.reshape(v, unit, `${hint}_d${d}`, dirs === 1 ? name : undefined));
    if (dirs > 1) e.concat(parts, layout === 0 ? 0 : 1, hint, name);
  };
  finals(lastH, yhName, 'y_h');
  if (ycName) finals(lastC, ycName, 'y_c');
}

export const expandLstm: Expander = (ctx) => expandRecurrent(ctx, 'LSTM');
export const expandGru: Expander = (ctx) => expandRecurrent(ctx, 'GRU');
