/**
 * A matmul as tiles. y[b,i,j] = clamp(requant(bias[j] + Σ_k x[b,i,k]·w[b',k,j], mult[j], shift), lo, hi), the
 * kernel of kernels/matmul.ts, word for word: the same wrapping MAC sum (any order gives the same bits), the same
 * requant and clamp.
 *
 * A tile is a rectangle of the output: batches [b0, b0+nbat) × rows [i0, i0+nrows) × columns [j0, j0+ncols),
 * with all of K. Either it covers whole batches (nrows = m) or part of one batch (nbat = 1). Tiles go column
 * block by column block, the row blocks inside, so consecutive tiles of one column block share their window.
 *
 * Memory: x, the output, and every input that is not a constant (an activation w, as in attention scores) stay
 * in persistent regions; the constant ones among w, bias and mult are cut by columns into the windows:
 *   window = [header (8 words)] [w block: (nbat if w is batched, else 1) × K × ncols, row-major] [bias: ncols] [mult: ncols]
 * (each block only for a constant input). The header holds the tile's start addresses: x row, output word, w
 * (window or persistent), bias, mult. Every other number in the program is static per tile shape, so tiles of
 * one shape share one program.
 *
 * Sizes: as many rows as fit with one column (all of them when they do, then whole batches, else rows of one
 * batch), then as many columns as fit, each within `tileSteps` steps and the window within the memory the
 * persistent regions leave; then blocks are evened out.
 */
import { asm, type Instruction } from '../../../vm/isa.ts';
import { Codegen } from '../codegen.ts';
import { NodeTooLargeError, regionSize } from '../layout.ts';
import type { KernelCall } from '../kernels/kernel.ts';
import { emitDot, matmulDotSteps, matmulGeometry } from '../kernels/matmul.ts';
import { TileStepsError, type TileLimits } from './options.ts';
import { evenBlock, HEADER_WORDS, largest, layoutTiled, loopSteps, windowCapacity, type TileSource, type WantedRegion } from './tiled.ts';

interface Shape {
  nbat: number;
  nrows: number;
  ncols: number;
}

/**
 * Steps of one output word: bias load, the dot product over K (2K: K loads and MACs, plus 3·blocks + 3 loop
 * steps when K > MAX_UNROLL, `matmulDotSteps`), mult load, RQ, MAX, MIN, STORE, four pointer steps.
 */
export function matmulWordSteps(k: number): number {
  return matmulDotSteps(k) + 10;
}

/** Exact steps of a matmul tile program (HALT included). */
export function matmulTileSteps(k: number, { nbat, nrows, ncols }: Shape, batchStep: boolean): number {
  const row = 3 + loopSteps(ncols, matmulWordSteps(k)) + 2;
  const batch = loopSteps(nrows, row) + (nbat > 1 && batchStep ? 1 : 0);
  return 3 + loopSteps(nbat, batch) + 1;
}

/**
 * The tiles of a matmul call, or undefined when it cannot be tiled (never, for a matmul: any input may be an
 * activation). `constants[k]` are the words of the inputs that are model constants.
 */
export function tileMatmul(call: KernelCall<'matmul'>, constants: readonly (Int32Array | undefined)[], { tileSteps, maxWindowWords }: TileLimits, name: string): TileSource {
  const { batch, m, k, n, wBatchStride } = matmulGeometry(call);
  const { shift, lo, hi } = call.attrs;
  const [, w, bias, mult] = constants;
  const wBatched = wBatchStride !== 0;
  const wWin = w !== undefined;
  const bWin = bias !== undefined;
  const mWin = mult !== undefined;
  const persistent: WantedRegion[] = [{ role: 'in0', words: batch * m * k }];
  if (!wWin) persistent.push({ role: 'in1', words: (wBatched ? batch : 1) * k * n });
  if (!bWin) persistent.push({ role: 'in2', words: n });
  if (!mWin) persistent.push({ role: 'in3', words: n });
  persistent.push({ role: 'out', words: batch * m * n });
  const cap = windowCapacity(persistent, maxWindowWords);
  const windowWords = (nbat: number, ncols: number) => HEADER_WORDS + (wWin ? (wBatched ? nbat : 1) * k * ncols : 0) + (bWin ? ncols : 0) + (mWin ? ncols : 0);
  if (windowWords(1, 1) > cap) throw new NodeTooLargeError(name, persistent.reduce((s, r) => s + regionSize(r.words), 0) + regionSize(windowWords(1, 1)));
  const batchStep = wBatched;
  const fits = (s: Shape) => matmulTileSteps(k, s, batchStep) <= tileSteps && windowWords(s.nbat, s.ncols) <= cap;
  if (!fits({ nbat: 1, nrows: 1, ncols: 1 })) {
    const least = matmulTileSteps(k, { nbat: 1, nrows: 1, ncols: 1 }, batchStep);
    throw new TileStepsError(`node "${name}": one output word of this matmul takes ${least} steps as a tile, more than tileSteps = ${tileSteps}`, least);
  }
  let nbat = 1;
  let nrows: number;
  if (fits({ nbat: 1, nrows: m, ncols: 1 })) {
    nrows = m;
    nbat = evenBlock(batch, largest(batch, (b) => fits({ nbat: b, nrows: m, ncols: 1 })));
  } else {
    nrows = evenBlock(m, largest(m, (r) => fits({ nbat: 1, nrows: r, ncols: 1 })));
  }
  const ncols = evenBlock(n, largest(n, (c) => fits({ nbat, nrows, ncols: c })));
  const rowBlocksPerBatch = Math.ceil(m / nrows);
  const rowBlocks = nrows === m ? Math.ceil(batch / nbat) : batch * rowBlocksPerBatch;
  const colBlocks = Math.ceil(n / ncols);
  const layout = layoutTiled(name, 4, persistent, windowWords(nbat, ncols));
  const W = layout.window;
  const base = (input: number) => layout.inputs[input]!;
  const xBase = base(0);
  const numTiles = rowBlocks * colBlocks;

  return {
    layout,
    outputWords: batch * m * n,
    numTiles,
    tile(i) {
      const cb = Math.floor(i / rowBlocks);
      const rb = i % rowBlocks;
      const j0 = cb * ncols;
      const nc = Math.min(ncols, n - j0);
      let b0: number, nb: number, i0: number, nr: number;
      if (nrows === m) {
        b0 = rb * nbat;
        nb = Math.min(nbat, batch - b0);
        i0 = 0;
        nr = m;
      } else {
        b0 = Math.floor(rb / rowBlocksPerBatch);
        nb = 1;
        i0 = (rb % rowBlocksPerBatch) * nrows;
        nr = Math.min(nrows, m - i0);
      }
      const shape: Shape = { nbat: nb, nrows: nr, ncols: nc };
      const wWords = wWin ? (wBatched ? nb : 1) * k * nc : 0;
      const wRow = wWin ? nc : n;
      const wBatchStep = wBatched ? (wWin ? k * nc : wBatchStride) : 0;
      return {
        key: `${nb},${nr},${nc}`,
        steps: matmulTileSteps(k, shape, batchStep),
        program: () => matmulTileProgram({ k, n, shift, lo, hi, window: W, wRow, wBatchStep, ...shape }),
        window() {
          const out = new Int32Array(windowWords(nb, nc));
          const row0 = b0 * m + i0;
          out[0] = xBase + row0 * k;
          out[1] = layout.output + row0 * n + j0;
          out[2] = wWin ? W + HEADER_WORDS : base(1) + b0 * wBatchStride + j0;
          out[3] = bWin ? W + HEADER_WORDS + wWords : base(2) + j0;
          out[4] = mWin ? W + HEADER_WORDS + wWords + (bWin ? nc : 0) : base(3) + j0;
          let o = HEADER_WORDS;
          if (w) {
            for (let bb = 0; bb < (wBatched ? nb : 1); bb++) {
              for (let s = 0; s < k; s++) {
                const from = (b0 + bb) * wBatchStride + s * n + j0;
                out.set(w.subarray(from, from + nc), o);
                o += nc;
              }
            }
          }
          if (bias) {
            out.set(bias.subarray(j0, j0 + nc), o);
            o += nc;
          }
          if (mult) out.set(mult.subarray(j0, j0 + nc), o);
          return out;
        },
      };
    },
  };
}

interface ProgramParams extends Shape {
  k: number;
  n: number;
  shift: number;
  lo: number;
  hi: number;
  /** The window's base address. */
  window: number;
  /** Words between rows of w where the tile reads it. */
  wRow: number;
  /** Words between batches of w where the tile reads it (0: w is shared). */
  wBatchStep: number;
}

/** The program of a tile of this shape; its addresses come from the window's header. */
export function matmulTileProgram(p: ProgramParams): Instruction[] {
  const g = new Codegen();
  const px = g.reg(); // x row
  const py = g.reg(); // next output word
  const pwb = g.reg(); // w[b, 0, j0]
  const pw = g.reg(); // w[b, 0, j]
  const pb = g.reg(); // bias[j]
  const pm = g.reg(); // mult[j]
  const acc = g.reg();
  const t = g.reg();
  g.emit(asm.LOAD(px, 0, p.window), asm.LOAD(py, 0, p.window + 1), asm.LOAD(pwb, 0, p.window + 2));
  g.repeat(p.nbat, () => {
    g.repeat(p.nrows, () => {
      g.addi(pw, pwb, 0);
      g.emit(asm.LOAD(pb, 0, p.window + 3), asm.LOAD(pm, 0, p.window + 4));
      g.repeat(p.ncols, () => {
        g.emit(asm.LOAD(acc, pb, 0));
        emitDot(g, p.k, acc, t, px, pw, p.wRow);
        g.emit(asm.LOAD(t, pm, 0));
        g.emit(asm.RQ(acc, acc, t, p.shift));
        g.emit(asm.alu('MAX', acc, acc, 0, p.lo), asm.alu('MIN', acc, acc, 0, p.hi));
        g.emit(asm.STORE(py, acc, 0));
        g.addi(py, py, 1);
        g.addi(pw, pw, 1);
        g.addi(pb, pb, 1);
        g.addi(pm, pm, 1);
      });
      g.addi(px, px, p.k);
      g.addi(py, py, p.n - p.ncols);
    });
    // With several batches a tile holds whole batches: x and the output are already at the next one.
    if (p.nbat > 1 && p.wBatchStep !== 0) g.addi(pwb, pwb, p.wBatchStep);
  });
  return g.halt();
}
