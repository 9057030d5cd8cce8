/**
 * The device self-check of WGSL `dot4I8Packed` before the executor relies on it (models/gpu/gemm.ts packed
 * kernels): on every byte value in every lane against the int8 edge bytes, plus pseudo-random words, the GPU's
 * result must equal the exact sum of the four lane products of the bytes read as int8. A driver or a Dawn
 * polyfill that saturates, reads lanes unsigned or in another order is caught here, and the executor then runs
 * the unpacked kernels (same bits, slower). Run once per device (cached in `gpu.checks`).
 */
import { PACKED_DOT_FEATURE, type GpuDevice } from './device.ts';
import { bindGroup, encodeDispatches, grid, paramsBuffer, pipelineOf, stagingBuffer, storageBuffer, submitAndRead, WORKGROUP } from './runtime.ts';

export interface PackedDotCheck {
  ok: boolean;
  /** Why packed kernels are not used (absent when ok). */
  reason?: string;
  /** Pairs compared. */
  pairs: number;
}

/** The exact dot product of the int8 lanes of two words (lane e = bits 8e..8e+7). */
export function dot4I8(a: number, b: number): number {
  let s = 0;
  for (let e = 0; e < 4; e++) s += ((a << (24 - 8 * e)) >> 24) * ((b << (24 - 8 * e)) >> 24);
  return s;
}

const SOURCE = `requires ${PACKED_DOT_FEATURE};
@group(0) @binding(0) var<storage, read> P: array<i32>;
@group(0) @binding(1) var<storage, read_write> Y: array<i32>;
@group(0) @binding(2) var<storage, read> A: array<u32>;
@group(0) @binding(3) var<storage, read> B: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = i32(g.x + g.y * bitcast<u32>(P[1]));
  if (i >= P[0]) { return; }
  Y[i] = dot4I8Packed(A[i], B[i]);
}
`;

/** The test pairs: each byte 0..255 in each lane against each edge byte in every lane, then random words. */
function pairs(): [Int32Array, Int32Array] {
  const edges = [0x80, 0x81, 0xff, 0x00, 0x01, 0x7e, 0x7f];
  const a: number[] = [];
  const b: number[] = [];
  for (let lane = 0; lane < 4; lane++) {
    for (let v = 0; v < 256; v++) {
      for (const e of edges) {
        a.push((v << (8 * lane)) | 0);
        b.push(Math.imul(e, 0x01010101));
        a.push(Math.imul(e, 0x01010101) ^ ((v ^ e) << (8 * lane)));
        b.push(Math.imul(e ^ 0x80, 0x01010101));
      }
    }
  }
  let s = 0x2545f491;
  for (let k = 0; k < 4096; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    a.push(s);
    s = (Math.imul(s, 1664525) + 1013904223) | 0;
    b.push(s ^ (s >>> 13));
  }
  return [Int32Array.from(a), Int32Array.from(b)];
}

async function run(gpu: GpuDevice): Promise<PackedDotCheck> {
  if (!gpu.packedDot) return { ok: false, reason: `the WGSL language feature ${PACKED_DOT_FEATURE} is not offered`, pairs: 0 };
  const [a, b] = pairs();
  const n = a.length;
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await pipelineOf(gpu, 'check_dot4I8Packed', SOURCE);
  } catch (e) {
    return { ok: false, reason: `dot4I8Packed does not compile: ${(e as Error).message}`, pairs: 0 };
  }
  const { groups, rowThreads } = grid(gpu, n);
  const buffers = [paramsBuffer(gpu, [n, rowThreads], 'dot4 params'), storageBuffer(gpu, n * 4, 'dot4 out'), storageBuffer(gpu, n * 4, 'dot4 a', a), storageBuffer(gpu, n * 4, 'dot4 b', b)];
  const staging = stagingBuffer(gpu, n * 4, 'dot4 read-back');
  try {
    const encoder = gpu.device.createCommandEncoder();
    encodeDispatches(encoder, [{ pipeline, bindGroup: bindGroup(gpu, pipeline, buffers, 'dot4 check'), groups, label: 'dot4 check' }]);
    encoder.copyBufferToBuffer(buffers[1], 0, staging, 0, n * 4);
    const bytes = await submitAndRead(gpu, encoder, staging, n * 4);
    const got = new Int32Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const want = dot4I8(a[i], b[i]);
      if (got[i] !== want) {
        const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
        return { ok: false, reason: `dot4I8Packed(${hex(a[i])}, ${hex(b[i])}) = ${got[i]} on this device, exactly ${want}`, pairs: n };
      }
    }
    return { ok: true, pairs: n };
  } finally {
    for (const buf of [...buffers, staging]) buf.destroy();
  }
}

/** The (cached) dot4I8Packed self-check of `gpu`. */
export function checkPackedDot(gpu: GpuDevice): Promise<PackedDotCheck> {
  let c = gpu.checks.get('dot4I8Packed') as Promise<PackedDotCheck> | undefined;
  if (!c) {
    c = run(gpu).catch((e: unknown) => ({ ok: false, reason: `dot4I8Packed check failed: ${(e as Error).message}`, pairs: 0 }));
    gpu.checks.set('dot4I8Packed', c);
  }
  return c;
}
