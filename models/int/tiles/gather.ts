/**
 * A gather along axis 0 from a constant table (an embedding lookup) as tiles. y[k, b] = data[idx(indices[k]), b]
 * with the kernel's total index rule (kernels/gather.ts: a negative index counts from the end once, then the
 * index is clamped into the table), word for word.
 *
 * A tile is a block of table rows [r0, r0+rb) (the window: header, then those rows) × a block of indices
 * [k0, k0+kc). For each of its indices the tile computes idx, then `in = (idx − r0 < rb) − (idx − r0 < 0)` (1 when
 * the row is in its block, else 0) and a window address clamped into its block, and adds `in · row word` to each
 * output word with MAC. The output starts at zero and every index selects exactly one row, so after the last
 * tile each output word is that row's word, and no step depends on the data: no branch, every address clamped.
 * Tiles go row block by row block, the index blocks inside.
 *
 * Memory: the indices and the output stay in persistent regions; the window takes as many rows as the memory
 * they leave holds (evened out); then as many indices per tile as fit in `tileSteps` steps.
 */
import { asm, type Instruction } from '../../../vm/isa.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { NodeTooLargeError, regionSize } from '../layout.ts';
import type { KernelCall } from '../kernels/kernel.ts';
import { RUN_BLOCK } from '../kernels/runs.ts';
import { TileStepsError, type TileLimits } from './options.ts';
import { evenBlock, HEADER_WORDS, largest, layoutTiled, loopSteps, windowCapacity, type TileSource, type WantedRegion } from './tiled.ts';

/** Steps of one index: load, idx (5), offset into the block (1), in-block flag (3), clamp (2), address (2), the row, the pointer. */
export function gatherIndexSteps(inner: number): number {
  return 1 + 5 + 1 + 3 + 2 + 2 + rowSteps(inner) + 1;
}

/** Steps of adding one row into the output: LOAD, MAC, STORE per word, two pointer steps per block. */
function rowSteps(inner: number): number {
  const block = Math.min(inner, RUN_BLOCK);
  const rest = inner % block;
  return loopSteps(Math.floor(inner / block), 3 * block + 2) + (rest > 0 ? 3 * rest + 2 : 0);
}

/** Exact steps of a gather tile program of kc indices (HALT included). */
export function gatherTileSteps(inner: number, kc: number): number {
  return 3 + loopSteps(kc, gatherIndexSteps(inner)) + 1;
}

/**
 * The tiles of a gather call, or undefined when it is not a lookup in a constant table along axis 0.
 * `constants[k]` are the words of the inputs that are model constants.
 */
export function tileGather(call: KernelCall<'gather'>, constants: readonly (Int32Array | undefined)[], { tileSteps, maxWindowWords }: TileLimits, name: string): TileSource | undefined {
  const [dataDims, indexDims] = call.inputDims;
  const data = constants[0];
  if (call.attrs.axis !== 0 || data === undefined) return undefined;
  const len = dataDims[0];
  const inner = elementCount(dataDims.slice(1));
  const count = elementCount(indexDims);
  if (len < 1 || inner < 1 || count < 1) return undefined;
  const persistent: WantedRegion[] = [
    { role: 'in1', words: count },
    { role: 'out', words: count * inner },
  ];
  const cap = windowCapacity(persistent, maxWindowWords);
  const rbMost = Math.min(len, Math.floor((cap - HEADER_WORDS) / inner));
  if (rbMost < 1) throw new NodeTooLargeError(name, persistent.reduce((s, r) => s + regionSize(r.words), 0) + regionSize(HEADER_WORDS + inner));
  if (gatherTileSteps(inner, 1) > tileSteps) {
    throw new TileStepsError(`node "${name}": one index of this gather takes ${gatherTileSteps(inner, 1)} steps as a tile, more than tileSteps = ${tileSteps}`, gatherTileSteps(inner, 1));
  }
  const rb = evenBlock(len, rbMost);
  const kc = evenBlock(count, largest(count, (c) => gatherTileSteps(inner, c) <= tileSteps));
  const rowBlocks = Math.ceil(len / rb);
  const indexBlocks = Math.ceil(count / kc);
  const layout = layoutTiled(name, 2, persistent, HEADER_WORDS + rb * inner);
  const W = layout.window;
  const indexBase = layout.inputs[1]!;
  return {
    layout,
    outputWords: count * inner,
    numTiles: rowBlocks * indexBlocks,
    tile(i) {
      const r0 = Math.floor(i / indexBlocks) * rb;
      const k0 = (i % indexBlocks) * kc;
      const rows = Math.min(rb, len - r0);
      const indices = Math.min(kc, count - k0);
      return {
        key: `${rows},${indices}`,
        steps: gatherTileSteps(inner, indices),
        program: () => gatherTileProgram({ len, inner, rows, indices, window: W }),
        window() {
          const out = new Int32Array(HEADER_WORDS + rows * inner);
          out[0] = indexBase + k0;
          out[1] = layout.output + k0 * inner;
          out[2] = r0;
          out.set(data.subarray(r0 * inner, (r0 + rows) * inner), HEADER_WORDS);
          return out;
        },
      };
    },
  };
}

interface ProgramParams {
  len: number;
  inner: number;
  /** Table rows in the tile's window. */
  rows: number;
  /** Indices the tile handles. */
  indices: number;
  window: number;
}

/** The program of a tile of this shape; its addresses and first row come from the window's header. */
export function gatherTileProgram(p: ProgramParams): Instruction[] {
  const g = new Codegen();
  const pi = g.reg(); // next index word
  const py = g.reg(); // next output word
  const r0 = g.reg(); // the block's first table row
  const t = g.reg();
  const s = g.reg();
  const on = g.reg();
  const v = g.reg();
  g.emit(asm.LOAD(pi, 0, p.window), asm.LOAD(py, 0, p.window + 1), asm.LOAD(r0, 0, p.window + 2));
  g.repeat(p.indices, () => {
    g.emit(
      asm.LOAD(t, pi, 0),
      asm.alu('SLT', s, t, 0, 0), // s = t < 0
      asm.alu('MUL', s, s, 0, p.len), // s = (t < 0) · len
      asm.alu('ADD', t, t, s, 0),
      asm.alu('MAX', t, t, 0, 0),
      asm.alu('MIN', t, t, 0, p.len - 1), // t = idx, the kernel's row
      asm.alu('SUB', t, t, r0, 0), // t = idx − r0
      asm.alu('SLT', s, t, 0, 0), // s = idx < r0
      asm.alu('SLT', on, t, 0, p.rows), // on = idx < r0 + rows
      asm.alu('SUB', on, on, s, 0), // on = 1 inside the block, else 0
      asm.alu('MAX', t, t, 0, 0),
      asm.alu('MIN', t, t, 0, p.rows - 1), // a row of the block, whatever idx is
      asm.alu('MUL', t, t, 0, p.inner),
      asm.ADDI(t, t, p.window + HEADER_WORDS), // t = &window row
    );
    const block = Math.min(p.inner, RUN_BLOCK);
    const emitBlock = (len: number) => {
      for (let b = 0; b < len; b++) g.emit(asm.LOAD(v, py, b), asm.MAC(v, on, t, b), asm.STORE(py, v, b));
      g.addi(py, py, len);
      g.addi(t, t, len);
    };
    g.repeat(Math.floor(p.inner / block), () => emitBlock(block));
    if (p.inner % block > 0) emitBlock(p.inner % block);
    g.addi(pi, pi, 1);
  });
  return g.halt();
}
