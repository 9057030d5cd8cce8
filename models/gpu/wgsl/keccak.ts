/**
 * keccak-f[1600] in WGSL over 32-bit lane halves, and keccak-256 of one 64-byte message (two Merkle children),
 * the hash vm/keccak.ts `hashPair` computes. The round body is generated here fully unrolled over the 25 lanes
 * (50 u32 variables, no arrays indexed at run time); the 24 rounds loop with the round constants.
 *
 * Byte order: keccak reads the message as 64-bit little-endian lanes, so lane j of the 64-byte message is
 * (lo, hi) = (LE u32 of bytes 8j..8j+3, LE u32 of bytes 8j+4..8j+7). Hashes are kept on the GPU in that
 * "lane form" (8 u32, word k = the LE u32 of digest bytes 4k..4k+3), which is exactly what a parent hash
 * reads; a tensor leaf (8 big-endian int32 words) becomes lane form by a byte swap of each word.
 */

/** Round constants of keccak-f[1600] as [lo, hi] u32 pairs. */
const RC: readonly bigint[] = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn, 0x0000000080000001n,
  0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n,
  0x000000000000800an, 0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

/** Rotation offsets r[x][y]. */
const ROT: readonly number[][] = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

const hex = (v: bigint): string => `0x${v.toString(16).padStart(8, '0')}u`;

/** [lo, hi] expressions of a 64-bit left rotation by the constant n. */
function rot(lo: string, hi: string, n: number): [string, string] {
  if (n === 0) return [lo, hi];
  if (n === 32) return [hi, lo];
  if (n < 32) return [`((${lo} << ${n}u) | (${hi} >> ${32 - n}u))`, `((${hi} << ${n}u) | (${lo} >> ${32 - n}u))`];
  const m = n - 32;
  return [`((${hi} << ${m}u) | (${lo} >> ${32 - m}u))`, `((${lo} << ${m}u) | (${hi} >> ${32 - m}u))`];
}

function roundBody(): string {
  const lines: string[] = [];
  const lo = (x: number, y: number) => `s${2 * (x + 5 * y)}`;
  const hi = (x: number, y: number) => `s${2 * (x + 5 * y) + 1}`;
  // theta
  for (let x = 0; x < 5; x++) {
    lines.push(`let c${x}l = ${[0, 1, 2, 3, 4].map((y) => lo(x, y)).join(' ^ ')};`);
    lines.push(`let c${x}h = ${[0, 1, 2, 3, 4].map((y) => hi(x, y)).join(' ^ ')};`);
  }
  for (let x = 0; x < 5; x++) {
    const [rl, rh] = rot(`c${(x + 1) % 5}l`, `c${(x + 1) % 5}h`, 1);
    lines.push(`let d${x}l = c${(x + 4) % 5}l ^ ${rl};`);
    lines.push(`let d${x}h = c${(x + 4) % 5}h ^ ${rh};`);
  }
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) lines.push(`${lo(x, y)} = ${lo(x, y)} ^ d${x}l; ${hi(x, y)} = ${hi(x, y)} ^ d${x}h;`);
  }
  // rho and pi: B[y][2x + 3y] = rot(A[x][y], r[x][y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      const bx = y;
      const by = (2 * x + 3 * y) % 5;
      const [rl, rh] = rot(lo(x, y), hi(x, y), ROT[x][y]);
      lines.push(`let b${bx}_${by}l = ${rl}; let b${bx}_${by}h = ${rh};`);
    }
  }
  // chi
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const x1 = (x + 1) % 5;
      const x2 = (x + 2) % 5;
      lines.push(`${lo(x, y)} = b${x}_${y}l ^ (~b${x1}_${y}l & b${x2}_${y}l);`);
      lines.push(`${hi(x, y)} = b${x}_${y}h ^ (~b${x1}_${y}h & b${x2}_${y}h);`);
    }
  }
  // iota
  lines.push('s0 = s0 ^ KECCAK_RC_LO[round];', 's1 = s1 ^ KECCAK_RC_HI[round];');
  return lines.map((l) => `    ${l}`).join('\n');
}

/**
 * `fn keccak64(m: array<u32, 16>) -> array<u32, 8>`: keccak-256 of the 64-byte message whose lanes are m
 * (lane form, see the file comment), digest in lane form. One absorbed block: rate 136 bytes, padding byte
 * 0x01 after the message (lane 8) and 0x80 at byte 135 (top of lane 16).
 */
export const KECCAK_WGSL = /* wgsl */ `
const KECCAK_RC_LO = array<u32, 24>(${RC.map((v) => hex(v & 0xffffffffn)).join(', ')});
const KECCAK_RC_HI = array<u32, 24>(${RC.map((v) => hex(v >> 32n)).join(', ')});

fn bswap32(w: u32) -> u32 {
  return (w << 24u) | ((w << 8u) & 0x00ff0000u) | ((w >> 8u) & 0x0000ff00u) | (w >> 24u);
}

fn keccak64(m: array<u32, 16>) -> array<u32, 8> {
${Array.from({ length: 50 }, (_, i) => `  var s${i}: u32 = ${i < 16 ? `m[${i}]` : i === 16 ? '1u' : i === 33 ? '0x80000000u' : '0u'};`).join('\n')}
  for (var round = 0u; round < 24u; round = round + 1u) {
${roundBody()}
  }
  return array<u32, 8>(s0, s1, s2, s3, s4, s5, s6, s7);
}
`;
