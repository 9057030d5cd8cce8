/**
 * `npm run keccak-wasm`: writes vm/keccakWasm.ts, the WebAssembly module behind vm/keccak.ts's batched pair
 * hashing. The module is emitted byte by byte here (no assembler needed), so the output is reproducible from
 * this file alone. It exports its memory and two functions:
 *
 *   pairs(src: i32, dst: i32, n: i32, zc: i32, zp: i32)
 *     for i in 0..n: dst[32i .. 32i+32) = keccak256(src[64i .. 64i+64))
 *     when zc ≠ 0 and src[64i .. 64i+64) is the 32 bytes at zc twice, the 32 bytes at zp are copied instead
 *     (the zero-subtree shortcut: zc = Z[h-1], zp = Z[h]).
 *   dst may equal src (a level hashed in place: output i is written after input i has been read).
 *
 *   pairs2(src, dst, n2, zc, zp): the same over 2·n2 pairs, two at a time in the two i64 lanes of v128 locals
 *     (rotations as shl | shr_u, chi with v128.andnot); the shortcut applies when both pairs are Z ‖ Z.
 *     Measured (Node 20, one core, other load on the box): 3.5–4.6 M hashes/s against 2.0–2.8 M for pairs.
 *
 * keccak-256 of a 64-byte message is one keccak-f[1600] over the state whose first 8 lanes are the message
 * (little-endian 64-bit lanes, as i64.load reads them), lane 8 = 0x01 and lane 16 = 0x80 << 56 (pad10*1 with
 * the keccak domain byte 0x01, rate 136 bytes). State in 25 i64 locals; one round per loop iteration (UNROLL).
 * Bit-exactness against @noble/hashes is pinned by test/keccak.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { I32, I64, MAGIC_VERSION, op, section, sleb, str, uleb, V128, vec, writeBase64Module } from './wasm/emit.ts';

// --- keccak constants, derived rather than transcribed ---
function roundConstants(): bigint[] {
  let r = 1;
  const bit = () => {
    const out = r & 1;
    r = r & 0x80 ? ((r << 1) ^ 0x71) & 0xff : (r << 1) & 0xff;
    return out;
  };
  const rc: bigint[] = [];
  for (let i = 0; i < 24; i++) {
    let c = 0n;
    for (let j = 0; j < 7; j++) if (bit()) c |= 1n << BigInt((1 << j) - 1);
    rc.push(c);
  }
  return rc;
}

function rotations(): number[] {
  const rot = new Array<number>(25).fill(0);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    rot[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return rot;
}


/** The end of a pair loop: advance src and dst by their strides, count n down, loop while n; close the blocks. */
function loopTail(srcStride: bigint, dstStride: bigint): void {
  get(SRC);
  emit(op.i32const, ...sleb(srcStride), op.i32add);
  set(SRC);
  get(DST);
  emit(op.i32const, ...sleb(dstStride), op.i32add);
  set(DST);
  get(N);
  emit(op.i32const, ...sleb(1n), op.i32sub, op.tee, ...uleb(N), op.brIf, 0);
  emit(op.end); // $L
  emit(op.end); // n == 0 block
  emit(op.end); // function
}

// locals: params 0..4 = src, dst, n, zc, zp; i32 r (round-constant pointer); then i64 a[25], c[5], d
const SRC = 0, DST = 1, N = 2, ZC = 3, ZP = 4, R = 5;
const A = 6, C = A + 25, D = C + 5;
const I64_LOCALS = 25 + 5 + 1;
/** Where the data segment puts the 24 round constants (vm/keccak.ts keeps clear of [3072, 3264)). */
export const RC_ADDRESS = 3072;
/**
 * Rounds per iteration of the round loop. Measured under Node 20 (V8), hashes/s of 64-byte pairs: 1 → 2.83 M,
 * 2 → 2.55 M, 4 → 2.42 M, 6 → 2.32 M, 24 (fully unrolled, 27 kB) → 1.31 M: the unrolled body overflows the
 * instruction cache. (hash-wasm, one pair per init/update/digest: 1.34 M; its raw permutation: 2.36 M/s.)
 */
const UNROLL = Number(process.env.KECCAK_UNROLL ?? 1);
if (24 % UNROLL !== 0) throw new Error('UNROLL must divide 24');

const code: number[] = [];
const emit = (...b: number[]) => code.push(...b);
const get = (i: number) => emit(op.get, ...uleb(i));
const set = (i: number) => emit(op.set, ...uleb(i));
const load64 = (addrLocal: number, offset: number) => {
  get(addrLocal);
  emit(op.i64load, 3, ...uleb(offset));
};
const store64 = (addrLocal: number, offset: number, valueLocal: number) => {
  get(addrLocal);
  get(valueLocal);
  emit(op.i64store, 3, ...uleb(offset));
};
const const64 = (v: bigint) => emit(op.i64const, ...sleb(v));

// function body
// if n == 0 return
emit(op.block, op.void);
get(N);
emit(op.i32eqz, op.brIf, 0);
emit(op.loop, op.void); // $L
emit(op.block, op.void); // $next
for (let k = 0; k < 8; k++) {
  load64(SRC, 8 * k);
  set(A + k);
}
emit(op.block, op.void); // $hash
get(ZC);
emit(op.i32eqz, op.brIf, 0);
for (let k = 0; k < 8; k++) {
  get(A + k);
  load64(ZC, 8 * (k % 4));
  emit(op.i64xor);
  if (k > 0) emit(op.i64or);
}
emit(op.i64eqz, op.i32eqz, op.brIf, 0);
for (let k = 0; k < 4; k++) {
  get(DST);
  load64(ZP, 8 * k);
  emit(op.i64store, 3, ...uleb(8 * k));
}
emit(op.br, 1); // to $next
emit(op.end); // $hash
// padding lanes
for (let k = 8; k < 25; k++) {
  const64(k === 8 ? 1n : k === 16 ? 0x8000000000000000n : 0n);
  set(A + k);
}
/** How a round's lane operations are emitted: on i64 locals (pairs) or on two i64 lanes in v128 locals (pairs2). */
interface LaneOps {
  /** pop two lanes, push their xor */
  xor(): void;
  /** push `local` rotated left by r bits (r = 0: the local itself) */
  pushRotl(local: number, r: number): void;
  /** push ~notLocal & andLocal */
  pushNotAnd(notLocal: number, andLocal: number): void;
}

const SCALAR_LANES: LaneOps = {
  xor: () => emit(op.i64xor),
  pushRotl: (local, r) => {
    get(local);
    if (r !== 0) {
      const64(BigInt(r));
      emit(op.i64rotl);
    }
  },
  pushNotAnd: (notLocal, andLocal) => {
    get(notLocal);
    const64(-1n);
    emit(op.i64xor);
    get(andLocal);
    emit(op.i64and);
  },
};

/** theta, rho + pi and chi of one round on the state in locals A..A+24 (C..C+4 and D are scratch); iota is the caller's. */
function roundWithoutIota(l: LaneOps): void {
  // theta
  for (let x = 0; x < 5; x++) {
    get(A + x);
    for (let y = 1; y < 5; y++) {
      get(A + x + 5 * y);
      l.xor();
    }
    set(C + x);
  }
  for (let x = 0; x < 5; x++) {
    get(C + ((x + 4) % 5));
    l.pushRotl(C + ((x + 1) % 5), 1);
    l.xor();
    set(D);
    for (let y = 0; y < 5; y++) {
      get(A + x + 5 * y);
      get(D);
      l.xor();
      set(A + x + 5 * y);
    }
  }
  // rho + pi, in place along the single 24-cycle of pi (one temporary)
  get(A + 1);
  set(D);
  for (const [j, r] of PI_CYCLE) {
    get(A + j);
    set(C); // C[0] is free after theta
    l.pushRotl(D, r);
    set(A + j);
    get(C);
    set(D);
  }
  // chi, one row at a time (the row copied to C): a ^= ~c[x+1] & c[x+2]
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(A + x + 5 * y);
      set(C + x);
    }
    for (let x = 0; x < 5; x++) {
      get(A + x + 5 * y);
      l.pushNotAnd(C + ((x + 1) % 5), C + ((x + 2) % 5));
      l.xor();
      set(A + x + 5 * y);
    }
  }
}

const RC = roundConstants();
const ROT = rotations();
// pi moves lane (x, y) to (y, 2x + 3y); walking the cycle from lane 1: [destination lane, rotation of the lane
// that lands there]
const PI_CYCLE: [number, number][] = [];
{
  let x = 1;
  let y = 0;
  let rot = ROT[1];
  for (let t = 0; t < 24; t++) {
    const nx = y;
    const ny = (2 * x + 3 * y) % 5;
    PI_CYCLE.push([nx + 5 * ny, rot]);
    rot = ROT[nx + 5 * ny];
    x = nx;
    y = ny;
  }
}
emit(op.i32const, ...sleb(BigInt(RC_ADDRESS)));
set(R);
emit(op.loop, op.void); // $rounds
for (let u = 0; u < UNROLL; u++) {
  roundWithoutIota(SCALAR_LANES);
  // iota
  get(A);
  load64(R, 8 * u);
  emit(op.i64xor);
  set(A);
}
get(R);
emit(op.i32const, ...sleb(BigInt(8 * UNROLL)), op.i32add, op.tee, ...uleb(R));
emit(op.i32const, ...sleb(BigInt(RC_ADDRESS + 8 * 24)), 0x47 /* i32.ne */, op.brIf, 0);
emit(op.end); // $rounds
for (let k = 0; k < 4; k++) store64(DST, 8 * k, A + k);
emit(op.end); // $next
loopTail(64n, 32n); // src += 64; dst += 32; n -= 1; loop while n

const body = [...vec([[1, I32], [...uleb(I64_LOCALS), I64]]), ...code];

// --- pairs2(src, dst, n2, zc, zp): 2·n2 pairs, two at a time in the two i64 lanes of v128 locals ---
// Same contract as pairs (n2 counts pairs of pairs); the zero shortcut applies when both pairs are Z ‖ Z.
const simd = (o: number, ...rest: number[]) => emit(0xfd, ...uleb(o), ...rest);
const vop = { load: 0x00, load64splat: 0x0a, store: 0x0b, shuffle: 0x0d, and: 0x4e, andnot: 0x4f, or: 0x50, xor: 0x51, anyTrue: 0x53, shl: 0xcb, shrU: 0xcd };
const LO = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HI = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
const vrotl = (local: number, r: number) => {
  get(local);
  emit(op.i32const, ...sleb(BigInt(r)));
  simd(vop.shl);
  get(local);
  emit(op.i32const, ...sleb(BigInt(64 - r)));
  simd(vop.shrU);
  simd(vop.or);
};
/** Two i64 lanes in a v128: the same round, emitted with SIMD ops. */
const SIMD_LANES: LaneOps = {
  xor: () => simd(vop.xor),
  pushRotl: (local, r) => (r === 0 ? get(local) : vrotl(local, r)),
  // v128.andnot(a, b) = a & ~b
  pushNotAnd: (notLocal, andLocal) => {
    get(andLocal);
    get(notLocal);
    simd(vop.andnot);
  },
};
/** Where the data segment puts the round constants twice each (16 bytes per round), for pairs2. */
export const RC2_ADDRESS = 3264;
code.length = 0;
emit(op.block, op.void);
get(N);
emit(op.i32eqz, op.brIf, 0);
emit(op.loop, op.void); // $L
emit(op.block, op.void); // $next
for (let k = 0; k < 8; k += 2) {
  for (const [lane, sel] of [[k, LO], [k + 1, HI]] as const) {
    get(SRC);
    simd(vop.load, 0, ...uleb(8 * k));
    get(SRC);
    simd(vop.load, 0, ...uleb(64 + 8 * k));
    simd(vop.shuffle, ...sel);
    set(A + lane);
  }
}
emit(op.block, op.void); // $hash
get(ZC);
emit(op.i32eqz, op.brIf, 0);
for (let k = 0; k < 8; k++) {
  get(A + k);
  get(ZC);
  simd(vop.load64splat, 0, ...uleb(8 * (k % 4)));
  simd(vop.xor);
  if (k > 0) simd(vop.or);
}
simd(vop.anyTrue);
emit(op.brIf, 0);
for (const off of [0, 16, 32, 48]) {
  get(DST);
  get(ZP);
  simd(vop.load, 0, ...uleb(off % 32));
  simd(vop.store, 0, ...uleb(off));
}
emit(op.br, 1); // to $next
emit(op.end); // $hash
for (let k = 8; k < 25; k++) {
  const lane = k === 8 ? 1n : k === 16 ? 0x8000000000000000n : 0n;
  const bytes16: number[] = [];
  for (let rep = 0; rep < 2; rep++) for (let b = 0n; b < 64n; b += 8n) bytes16.push(Number((lane >> b) & 0xffn));
  simd(0x0c, ...bytes16); // v128.const
  set(A + k);
}
emit(op.i32const, ...sleb(BigInt(RC2_ADDRESS)));
set(R);
emit(op.loop, op.void); // $rounds
roundWithoutIota(SIMD_LANES);
// iota
get(A);
get(R);
simd(vop.load, 0, 0);
simd(vop.xor);
set(A);
get(R);
emit(op.i32const, ...sleb(16n), op.i32add, op.tee, ...uleb(R));
emit(op.i32const, ...sleb(BigInt(RC2_ADDRESS + 16 * 24)), 0x47 /* i32.ne */, op.brIf, 0);
emit(op.end); // $rounds
for (const [off, a, b, sel] of [[0, 0, 1, LO], [16, 2, 3, LO], [32, 0, 1, HI], [48, 2, 3, HI]] as const) {
  get(DST);
  get(A + a);
  get(A + b);
  simd(vop.shuffle, ...sel);
  simd(vop.store, 0, ...uleb(off));
}
emit(op.end); // $next
loopTail(128n, 64n); // src += 128; dst += 64; n -= 1; loop while n
const body2 = [...vec([[1, I32], [...uleb(I64_LOCALS), V128]]), ...code];
const rc2Bytes: number[] = [];
for (const c of RC) for (let rep = 0; rep < 2; rep++) for (let k = 0n; k < 64n; k += 8n) rc2Bytes.push(Number((c >> k) & 0xffn));
const rcBytes: number[] = [];
for (const c of RC) for (let k = 0n; k < 64n; k += 8n) rcBytes.push(Number((c >> k) & 0xffn));
const module = [
  ...MAGIC_VERSION,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0]])),
  ...section(3, vec([[0], [0]])),
  ...section(5, vec([[0x00, ...uleb(2)]])),
  ...section(7, vec([[...str('memory'), 0x02, 0], [...str('pairs'), 0x00, 0], [...str('pairs2'), 0x00, 1]])),
  ...section(10, vec([[...uleb(body.length), ...body], [...uleb(body2.length), ...body2]])),
  ...section(11, vec([
    [0x00, op.i32const, ...sleb(BigInt(RC_ADDRESS)), op.end, ...vec(rcBytes.map((b) => [b]))],
    [0x00, op.i32const, ...sleb(BigInt(RC2_ADDRESS)), op.end, ...vec(rc2Bytes.map((b) => [b]))],
  ])),
];

const bytes = Buffer.from(module);
new WebAssembly.Module(bytes); // validates
const out = fileURLToPath(new URL('../vm/keccakWasm.ts', import.meta.url));
writeBase64Module(
  out,
  'scripts/gen-keccak-wasm.ts (npm run keccak-wasm)',
  'keccak-256 of 64-byte messages, batched: exports pairs(src, dst, n, zc, zp) and pairs2 (SIMD, 2 at a time).',
  'KECCAK_WASM_BASE64',
  bytes,
);
console.log(`wrote ${out} (${bytes.length} bytes)`);
