/**
 * The tiled and packed matmul / conv2d kernels (models/gpu/gemm.ts) equal the CPU reference kernels
 * (models/int/kernels execute) word for word and root for root, on random shapes across the tile and packing
 * boundaries, int8 edge values and full int32 words, in every variant: reference, tiled and packed with 8×8 and
 * 16×16 invocations of 1×1, 2×2 and 4×4 outputs each, with the weight pre-packed in its own buffer or packed on the fly from the arena. And the proofs hold:
 * a packed kernel runs only on proven int8 operands (a graph input is checked per run), and without the proof
 * it would be wrong (shown with the testing-only `unsafeAssumeInt8`).
 */
import { describe, expect, it } from 'vitest';
import { GpuGraph, type GpuGraphOptions } from '../../models/gpu/executor.ts';
import { checkPackedDot } from '../../models/gpu/packedDot.ts';
import type { KernelKind } from '../../models/gpu/variants.ts';
import type { IntOp } from '../../models/int/graph.ts';
import { kernelOf } from '../../models/int/kernels/index.ts';
import { tensorRoot } from '../../models/int/roots.ts';
import { Rng } from '../support/rng.ts';
import { conv2dGemmCase, matmulGemmCase, type Values } from './gemmCases.ts';
import { oneNodeGraph, type OneNode } from './oneNode.ts';
import { device, NO_GPU, SKIP_REASON } from './support.ts';

const CASES = 24;

/** Every variant a node can run, as GpuGraph options (T×T invocations, R×R outputs each). */
const VARIANTS: { name: string; options: GpuGraphOptions; kind: 'reference' | 'tiled' | 'packed' }[] = [
  { name: 'reference', options: { kernels: 'reference' }, kind: 'reference' },
  { name: 'tiled 8x1', options: { kernels: 'tiled', packed: false, tile: 8, per: 1 }, kind: 'tiled' },
  { name: 'tiled 16x1', options: { kernels: 'tiled', packed: false, tile: 16, per: 1 }, kind: 'tiled' },
  { name: 'tiled 8x2', options: { kernels: 'tiled', packed: false, tile: 8, per: 2 }, kind: 'tiled' },
  { name: 'tiled 16x4', options: { kernels: 'tiled', packed: false, tile: 16, per: 4 }, kind: 'tiled' },
  { name: 'packed 8x1', options: { kernels: 'tiled', tile: 8, per: 1 }, kind: 'packed' },
  { name: 'packed 16x2', options: { kernels: 'tiled', tile: 16, per: 2 }, kind: 'packed' },
  { name: 'packed 8x4', options: { kernels: 'tiled', tile: 8, per: 4 }, kind: 'packed' },
  { name: 'packed 16x4', options: { kernels: 'tiled', tile: 16, per: 4 }, kind: 'packed' },
];

const int8 = (w: Int32Array) => w.every((v) => v >= -128 && v <= 127);

/** Run case `c` in every variant, weights in their own buffers or in the arena; compare with execute. */
async function checkCase<K extends 'matmul' | 'conv2d'>(c: OneNode<K>, label: string, packedOk: boolean): Promise<KernelKind[]> {
  const want = kernelOf(c.op as IntOp).execute({ attrs: c.attrs as never, inputDims: c.inputDims, outDims: c.outDims }, c.inputs);
  const ran: KernelKind[] = [];
  for (const asWeight of [true, false]) {
    const { graph, inputs } = oneNodeGraph(c, () => asWeight);
    for (const v of VARIANTS) {
      const g = await GpuGraph.create(device(), graph, v.options);
      try {
        const [kind] = g.kernelsFor(inputs);
        const provable = int8(c.inputs[0]) && int8(c.inputs[1]);
        expect(kind, `${label} ${v.name}: kernel (${g.choices[0].why})`).toBe(v.kind === 'packed' && !(provable && packedOk) ? 'tiled' : v.kind);
        ran.push(kind);
        const run = await g.run(inputs);
        const at = `${label} ${v.name}, ${asWeight ? 'weights' : 'arena'} (${kind})`;
        const got = run.outputs[0];
        let first = -1;
        for (let i = 0; i < want.length && first < 0; i++) if (got[i] !== want[i]) first = i;
        expect(first, `${at}: first differing word ${first} = ${got[first]}, reference ${want[first]}`).toBe(-1);
        expect(got.length, at).toBe(want.length);
        expect(run.roots.get(graph.nodes[0].output), `${at}: root`).toBe(tensorRoot(want));
      } finally {
        g.destroy();
      }
    }
  }
  return ran;
}

describe.skipIf(NO_GPU)(`tiled and packed GEMM kernels equal the CPU references${NO_GPU ? ` [skipped: ${SKIP_REASON}]` : ''}`, () => {
  it('the device reports dot4I8Packed and its self-check agrees with the language feature', async () => {
    const gpu = device();
    const check = await checkPackedDot(gpu);
    expect(check.ok, check.reason).toBe(gpu.packedDot);
    if (check.ok) expect(check.pairs).toBeGreaterThan(10_000);
  });

  for (const values of ['int8', 'edge8', 'int32'] as Values[]) {
    for (const [op, gen] of [
      ['matmul', matmulGemmCase],
      ['conv2d', conv2dGemmCase],
    ] as const) {
      it(`${op}: ${CASES} random ${values} cases in every variant`, async () => {
        const packedOk = (await checkPackedDot(device())).ok;
        const rng = new Rng(op.length * 131 + values.length * 7 + values.charCodeAt(0));
        const kinds = new Set<KernelKind>();
        for (let k = 0; k < CASES; k++) {
          const c = gen(rng, values) as OneNode<'matmul' | 'conv2d'>;
          const label = `${op} ${values} case ${k}: dims ${JSON.stringify(c.inputDims)} attrs ${JSON.stringify(c.attrs)}`;
          for (const kind of await checkCase(c, label, packedOk)) kinds.add(kind);
        }
        expect([...kinds].sort()).toEqual(values === 'int32' || !packedOk ? ['reference', 'tiled'] : ['packed', 'reference', 'tiled']);
      });
    }
  }

  it('larger GEMMs: several tiles and depth slices in every direction', async () => {
    const packedOk = (await checkPackedDot(device())).ok;
    const rng = new Rng(4242);
    const x = Int32Array.from({ length: 2 * 70 * 301 }, () => rng.int(-128, 127));
    const w = Int32Array.from({ length: 301 * 53 }, () => rng.int(-128, 127));
    const mm: OneNode<'matmul'> = {
      op: 'matmul',
      attrs: { shift: 30, lo: -(2 ** 31), hi: 2 ** 31 - 1 },
      inputDims: [[2, 70, 301], [301, 53], [53], [53]],
      inputs: [x, w, Int32Array.from({ length: 53 }, () => rng.int32()), new Int32Array(53).fill(2 ** 30)],
      outDims: [2, 70, 53],
    };
    await checkCase(mm, 'matmul 2×70×301·301×53', packedOk);
    // An inner dimension past the VM lowering's unrolled block (4096: the lowering loops over K blocks there; the
    // GPU kernels have no such block) — a LLaMA-1.1B down-projection's K.
    const K = 5632;
    const longK: OneNode<'matmul'> = {
      op: 'matmul',
      attrs: { shift: 36, lo: -128, hi: 127 },
      inputDims: [[3, K], [K, 5], [5], [5]],
      inputs: [Int32Array.from({ length: 3 * K }, () => rng.int(-128, 127)), Int32Array.from({ length: K * 5 }, () => rng.int(-128, 127)), Int32Array.from({ length: 5 }, () => rng.int(-20000, 20000)), Int32Array.from({ length: 5 }, () => rng.int(2 ** 30, 2 ** 31 - 1))],
      outDims: [3, 5],
    };
    await checkCase(longK, `matmul 3×${K}·${K}×5`, packedOk);
    const cx = Int32Array.from({ length: 24 * 19 * 23 }, () => rng.int(-128, 127));
    const cw = Int32Array.from({ length: 36 * 12 * 9 }, () => rng.int(-128, 127));
    const conv: OneNode<'conv2d'> = {
      op: 'conv2d',
      attrs: { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 2, shift: 38, lo: -128, hi: 127 },
      inputDims: [[1, 24, 19, 23], [36, 12, 3, 3], [36], [36]],
      inputs: [cx, cw, Int32Array.from({ length: 36 }, () => rng.int(-20000, 20000)), Int32Array.from({ length: 36 }, () => rng.int(2 ** 30, 2 ** 31 - 1))],
      outDims: [1, 36, 19, 23],
    };
    await checkCase(conv, 'conv2d 24→36 group 2, 19×23', packedOk);
  });

  it('a graph input decides per run: packed on int8 words, tiled otherwise — and the guard is needed', async () => {
    const gpu = device();
    if (!(await checkPackedDot(gpu)).ok) return;
    const rng = new Rng(77);
    const c = matmulGemmCase(rng, 'int8');
    c.inputDims = [[12, 20], [20, 10], [10], [10]];
    c.outDims = [12, 10];
    c.attrs = { shift: 30, lo: -(2 ** 31), hi: 2 ** 31 - 1 };
    c.inputs = [
      Int32Array.from({ length: 240 }, () => rng.int(-128, 127)),
      Int32Array.from({ length: 200 }, () => rng.int(-128, 127)),
      new Int32Array(10),
      new Int32Array(10).fill(2 ** 30),
    ];
    const { graph, inputs } = oneNodeGraph(c, () => true);
    const exec = (x: Int32Array) => kernelOf('matmul').execute({ attrs: c.attrs, inputDims: c.inputDims, outDims: c.outDims }, [x, ...c.inputs.slice(1)]);
    const wide = Int32Array.from(inputs[0]);
    wide[37] = 128; // one word just outside int8
    const g = await GpuGraph.create(gpu, graph, { kernels: 'tiled' });
    const unsafe = await GpuGraph.create(gpu, graph, { kernels: 'tiled', unsafeAssumeInt8: true });
    try {
      expect(g.choices[0].guard).toEqual([graph.inputs[0]]);
      expect(g.kernelsFor(inputs)).toEqual(['packed']);
      expect(g.kernelsFor([wide])).toEqual(['tiled']);
      expect(Array.from((await g.run(inputs)).outputs[0])).toEqual(Array.from(exec(inputs[0])));
      expect(Array.from((await g.run([wide])).outputs[0])).toEqual(Array.from(exec(wide)));
      // Without the guard the packed kernel reads 128 as -128: row 1 (word 37 = x[1][17]) is wrong.
      expect(unsafe.kernelsFor([wide])).toEqual(['packed']);
      const bad = (await unsafe.run([wide])).outputs[0];
      const want = exec(wide);
      const rows = new Set<number>();
      for (let i = 0; i < want.length; i++) if (bad[i] !== want[i]) rows.add(Math.floor(i / 10));
      expect([...rows]).toEqual([1]);
    } finally {
      g.destroy();
      unsafe.destroy();
    }
  });

  it('a weight outside int8 keeps its node on the unpacked kernel', async () => {
    const rng = new Rng(5);
    const c = conv2dGemmCase(rng, 'int8');
    c.inputs[1] = Int32Array.from(c.inputs[1]);
    c.inputs[1][0] = -129;
    const { graph, inputs } = oneNodeGraph(c, () => true);
    const g = await GpuGraph.create(device(), graph, { kernels: 'tiled' });
    try {
      expect(g.choices[0].kernel).toBe('tiled');
      expect(g.choices[0].why).toMatch(/operand w .* not provably int8/);
      const want = kernelOf('conv2d').execute({ attrs: c.attrs, inputDims: c.inputDims, outDims: c.outDims }, c.inputs);
      expect(Array.from((await g.run(inputs)).outputs[0])).toEqual(Array.from(want));
    } finally {
      g.destroy();
    }
  });

  it('the suite is sharp: dot4I8Packed replaced by its unsigned twin in the packed kernels is caught', async () => {
    const gpu = device();
    if (!(await checkPackedDot(gpu)).ok) return;
    const c = matmulGemmCase(new Rng(11), 'edge8');
    c.attrs = { shift: 30, lo: -(2 ** 31), hi: 2 ** 31 - 1 }; // raw sums out
    c.inputs[3] = new Int32Array(c.inputs[3].length).fill(2 ** 30);
    const { graph, inputs } = oneNodeGraph(c, () => true);
    let patched = 0;
    const patch = (key: string, code: string) => {
      if (!key.includes('packed')) return code;
      patched++;
      return code.replace(/dot4I8Packed\((a\d), (b\d)\)/g, 'bitcast<i32>(dot4U8Packed($1, $2))');
    };
    const g = await GpuGraph.create(gpu, graph, { kernels: 'tiled', patch });
    try {
      expect(g.kernelsFor(inputs)).toEqual(['packed']);
      expect(patched).toBe(1);
      const want = kernelOf('matmul').execute({ attrs: c.attrs, inputDims: c.inputDims, outDims: c.outDims }, c.inputs);
      expect(Array.from((await g.run(inputs)).outputs[0])).not.toEqual(Array.from(want));
    } finally {
      g.destroy();
    }
  });
});
