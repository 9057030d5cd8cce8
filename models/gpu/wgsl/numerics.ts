/**
 * The integer arithmetic of docs/NUMERICS.md in WGSL: one function per vm/numerics.ts function, bit for bit.
 * test/gpu/numerics.test.ts pins every function to the TypeScript definition (random and edge int32 values,
 * every requant shift 0..63), on whatever adapter the suite runs.
 *
 * Only 32-bit integers are used (WGSL has no i64): the exact signed 64-bit product of requant / mulhi32 is
 * formed from 16-bit limb products as a (lo, hi) pair of u32 words, and rounding shifts work on that pair.
 * Division goes through unsigned magnitudes so no driver-specific behaviour of signed `/` is relied on
 * (GLSL leaves division by zero and INT_MIN / -1 undefined).
 */
export const NUMERICS_WGSL = /* wgsl */ `
const INT32_MIN: i32 = i32(-2147483648);
const INT32_MAX: i32 = 2147483647;

// wrap32 arithmetic: WGSL i32 +, -, * on run-time values wrap (two's complement).
fn add32(a: i32, b: i32) -> i32 { return a + b; }
fn sub32(a: i32, b: i32) -> i32 { return a - b; }
fn mul32(a: i32, b: i32) -> i32 { return a * b; }

// Shifts with the count taken mod 32.
fn shl32(a: i32, s: i32) -> i32 { return a << (bitcast<u32>(s) & 31u); }
fn sra32(a: i32, s: i32) -> i32 { return a >> (bitcast<u32>(s) & 31u); }
fn srl32(a: i32, s: i32) -> i32 { return bitcast<i32>(bitcast<u32>(a) >> (bitcast<u32>(s) & 31u)); }

// min(max(x, lo), hi), literally (also when lo > hi).
fn clamp32(x: i32, lo: i32, hi: i32) -> i32 { return min(max(x, lo), hi); }

// Truncating division; 0 when b = 0; div32(INT32_MIN, -1) = INT32_MIN.
fn div32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let ua = select(bitcast<u32>(a), 0u - bitcast<u32>(a), a < 0);
  let ub = select(bitcast<u32>(b), 0u - bitcast<u32>(b), b < 0);
  let q = ua / ub;
  return bitcast<i32>(select(q, 0u - q, (a < 0) != (b < 0)));
}

// The exact signed 64-bit product a·b as (lo, hi) bits: unsigned 16-bit limb products, then the sign
// correction hi -= (a < 0 ? b : 0) + (b < 0 ? a : 0) (mod 2^32).
fn mul64(a: i32, b: i32) -> vec2<u32> {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let al = ua & 0xffffu;
  let ah = ua >> 16u;
  let bl = ub & 0xffffu;
  let bh = ub >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  let lo = (mid << 16u) | (ll & 0xffffu);
  let hi = hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u) - select(0u, ub, a < 0) - select(0u, ua, b < 0);
  return vec2<u32>(lo, hi);
}

// floor(a·b / 2^32): the high word of the signed 64-bit product.
fn mulhi32(a: i32, b: i32) -> i32 { return bitcast<i32>(mul64(a, b).y); }

// rshr on a signed 64-bit (lo, hi) value, s in [0, 63]: floor((v + 2^(s-1)) / 2^s), ties toward +infinity.
// Computed as floor(v / 2^s) + bit (s-1) of v, which never overflows (v + 2^62 could).
fn rshr64(v: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) { return v; }
  let hi = bitcast<i32>(v.y);
  var q: vec2<u32>;
  if (s < 32u) {
    q = vec2<u32>((v.x >> s) | (v.y << (32u - s)), bitcast<u32>(hi >> s));
  } else {
    q = vec2<u32>(bitcast<u32>(hi >> (s - 32u)), bitcast<u32>(hi >> 31u));
  }
  let t = s - 1u;
  let r = select((v.y >> (t & 31u)) & 1u, (v.x >> (t & 31u)) & 1u, t < 32u);
  let lo = q.x + r;
  return vec2<u32>(lo, q.y + select(0u, 1u, lo < q.x));
}

// Saturate a signed 64-bit (lo, hi) value to int32.
fn sat64(v: vec2<u32>) -> i32 {
  let lo = bitcast<i32>(v.x);
  let hi = bitcast<i32>(v.y);
  if (hi == (lo >> 31u)) { return lo; }
  return select(INT32_MAX, INT32_MIN, hi < 0);
}

// sat32(rshr(x·m, s mod 64)) on the exact product.
fn requant(x: i32, m: i32, s: i32) -> i32 {
  return sat64(rshr64(mul64(x, m), bitcast<u32>(s) & 63u));
}

// rshr of an int32 by s in [0, 63] (vm/numerics.ts rshr32).
fn rshr32(x: i32, s: i32) -> i32 {
  return sat64(rshr64(vec2<u32>(bitcast<u32>(x), bitcast<u32>(x >> 31u)), bitcast<u32>(s) & 63u));
}

// floor(sqrt(a)) for a > 0, else 0: a float estimate, then exact integer correction (|error| <= 2).
fn isqrt32(a: i32) -> i32 {
  if (a <= 0) { return 0; }
  let ua = bitcast<u32>(a);
  var r = min(u32(sqrt(f32(a))), 46340u);
  if (r * r > ua) { r = r - 1u; }
  if (r * r > ua) { r = r - 1u; }
  if ((r + 1u) * (r + 1u) <= ua) { r = r + 1u; }
  if ((r + 1u) * (r + 1u) <= ua) { r = r + 1u; }
  return bitcast<i32>(r);
}
`;

/** The numerics functions a probe can evaluate (models/gpu/probe.ts), with their arity. */
export const NUMERICS_FUNCTIONS = {
  add32: 2,
  sub32: 2,
  mul32: 2,
  mulhi32: 2,
  div32: 2,
  shl32: 2,
  sra32: 2,
  srl32: 2,
  clamp32: 3,
  rshr32: 2,
  requant: 3,
  isqrt32: 1,
} as const;
export type NumericsFunction = keyof typeof NUMERICS_FUNCTIONS;
