/**
 * Evaluate the WGSL numerics on the GPU, element by element, and compare them with vm/numerics.ts: the check
 * every adapter must pass before its results can be trusted (a driver that rounds, shifts or divides
 * differently is caught here). test/gpu/numerics.test.ts runs it exhaustively; `verifyGpuNumerics` is the
 * quick self-check a caller can run once after opening a device (e.g. `--backend auto`, falling back to the
 * CPU on a mismatch).
 */
import * as N from '../../vm/numerics.ts';
import type { GpuDevice } from './device.ts';
import { bindGroup, encodeDispatches, grid, paramsBuffer, pipelineOf, stagingBuffer, storageBuffer, submitAndRead, WORKGROUP } from './runtime.ts';
import { NUMERICS_FUNCTIONS, NUMERICS_WGSL, type NumericsFunction } from './wgsl/numerics.ts';

/** The TypeScript definition of each probed function. */
export const CPU_NUMERICS: Record<NumericsFunction, (a: number, b: number, c: number) => number> = {
  add32: (a, b) => N.add32(a, b),
  sub32: (a, b) => N.sub32(a, b),
  mul32: (a, b) => N.mul32(a, b),
  mulhi32: (a, b) => N.mulhi32(a, b),
  div32: (a, b) => N.div32(a, b),
  shl32: (a, b) => N.shl32(a, b),
  sra32: (a, b) => N.sra32(a, b),
  srl32: (a, b) => N.srl32(a, b),
  clamp32: (a, b, c) => N.clamp32(a, b, c),
  rshr32: (a, b) => N.rshr32(a, b & 63),
  requant: (a, b, c) => N.requant(a, b, c),
  isqrt32: (a) => N.isqrt32(a),
};

function probeSource(fn: NumericsFunction, numerics: string): string {
  const arity = NUMERICS_FUNCTIONS[fn];
  const args = ['A[i]', 'B[i]', 'C[i]'].slice(0, arity).join(', ');
  const decls = ['A', 'B', 'C']
    .slice(0, arity)
    .map((name, k) => `@group(0) @binding(${k + 2}) var<storage, read> ${name}: array<i32>;`)
    .join('\n');
  return `${numerics}
@group(0) @binding(0) var<storage, read> P: array<i32>;
@group(0) @binding(1) var<storage, read_write> Y: array<i32>;
${decls}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = i32(g.x + g.y * bitcast<u32>(P[1]));
  if (i >= P[0]) { return; }
  Y[i] = ${fn}(${args});
}
`;
}

/**
 * `fn(args[0][i], args[1][i], args[2][i])` for every i, computed by the WGSL numerics on the GPU.
 * `numerics` replaces the WGSL numerics source (mutation tests).
 */
export async function evalNumericsGpu(gpu: GpuDevice, fn: NumericsFunction, args: readonly Int32Array[], numerics = NUMERICS_WGSL): Promise<Int32Array> {
  const arity = NUMERICS_FUNCTIONS[fn];
  const n = args[0].length;
  if (args.length < arity || args.slice(0, arity).some((a) => a.length !== n)) throw new Error(`${fn} takes ${arity} argument arrays of equal length`);
  const custom = numerics !== NUMERICS_WGSL;
  const pipeline = await pipelineOf(gpu, `probe_${fn}`, probeSource(fn, numerics), !custom);
  const { groups, rowThreads } = grid(gpu, n);
  const params = paramsBuffer(gpu, [n, rowThreads], 'probe params');
  const out = storageBuffer(gpu, n * 4, 'probe out');
  const ins = args.slice(0, arity).map((a, k) => storageBuffer(gpu, n * 4, `probe arg ${k}`, a));
  const staging = stagingBuffer(gpu, n * 4, 'probe read-back');
  try {
    const encoder = gpu.device.createCommandEncoder();
    encodeDispatches(encoder, [{ pipeline, bindGroup: bindGroup(gpu, pipeline, [params, out, ...ins], `probe ${fn}`), groups, label: fn }]);
    if (n > 0) encoder.copyBufferToBuffer(out, 0, staging, 0, n * 4);
    const bytes = await submitAndRead(gpu, encoder, staging, n * 4);
    return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  } finally {
    for (const b of [params, out, staging, ...ins]) b.destroy();
  }
}

export interface NumericsMismatch {
  fn: NumericsFunction;
  args: number[];
  gpu: number;
  cpu: number;
}

/** Compare the GPU's `fn` with vm/numerics.ts on the given arguments; returns every mismatch. */
export async function compareNumerics(gpu: GpuDevice, fn: NumericsFunction, args: readonly Int32Array[], numerics?: string): Promise<NumericsMismatch[]> {
  const got = await evalNumericsGpu(gpu, fn, args, numerics);
  const ref = CPU_NUMERICS[fn];
  const bad: NumericsMismatch[] = [];
  for (let i = 0; i < got.length; i++) {
    const a = args.map((x) => x[i]);
    const want = ref(a[0], a[1] ?? 0, a[2] ?? 0) | 0;
    if (got[i] !== want) bad.push({ fn, args: a, gpu: got[i], cpu: want });
  }
  return bad;
}

const EDGES = [0, 1, -1, 2, -2, 3, 127, -128, 255, 32767, -32768, 65535, 65536, -65536, 2 ** 30, -(2 ** 30), N.INT32_MAX, N.INT32_MIN, N.INT32_MAX - 1, N.INT32_MIN + 1];

/**
 * A quick self-check of an adapter's integer arithmetic (a few thousand values per function, every requant
 * shift, every edge pair): the mismatches, empty when the adapter computes docs/NUMERICS.md exactly.
 */
export async function verifyGpuNumerics(gpu: GpuDevice, seed = 1): Promise<NumericsMismatch[]> {
  let s = seed | 0;
  const rand = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    const r = z & 3;
    return r === 0 ? EDGES[(z >>> 2) % EDGES.length] : r === 1 ? (z >> 20) : z;
  };
  const bad: NumericsMismatch[] = [];
  const pairs: [number, number][] = [];
  for (const a of EDGES) for (const b of EDGES) pairs.push([a, b]);
  for (let k = 0; k < 2048; k++) pairs.push([rand(), rand()]);
  const A = Int32Array.from(pairs, (p) => p[0]);
  const B = Int32Array.from(pairs, (p) => p[1]);
  for (const fn of ['add32', 'sub32', 'mul32', 'mulhi32', 'div32', 'shl32', 'sra32', 'srl32', 'isqrt32'] as const) bad.push(...(await compareNumerics(gpu, fn, [A, B])));
  const shifts = Int32Array.from(pairs, (_, i) => i % 64);
  bad.push(...(await compareNumerics(gpu, 'rshr32', [A, shifts])));
  bad.push(...(await compareNumerics(gpu, 'requant', [A, B, shifts])));
  bad.push(...(await compareNumerics(gpu, 'clamp32', [A, B, Int32Array.from(pairs, () => rand())])));
  return bad;
}
