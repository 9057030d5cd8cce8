/** Malformed .npy files for the CLI's input tests (test/cli/byo-model.test.ts, test/cli/fuzz.test.ts). */
import { writeNpy } from '../../models/inputs/npy.ts';

/** Malformed .npy files: [what, bytes, the message it must give]. */
export function malformedNpy(): [string, Uint8Array, RegExp][] {
  const good = writeNpy([1, 4], [0.1, 0.2, 0.3, 0.4]);
  const header = (h: string) => {
    const text = `${h}\n`;
    const b = new Uint8Array(10 + text.length + 16);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(b.buffer).setUint16(8, text.length, true);
    for (let i = 0; i < text.length; i++) b[10 + i] = text.charCodeAt(i);
    return b;
  };
  return [
    ['empty', new Uint8Array(0), /empty/],
    ['truncated in the data', good.subarray(0, good.length - 3), /truncated/],
    ['truncated in the header', good.subarray(0, 30), /truncated/],
    ['wrong magic', Uint8Array.from(good, (b, i) => (i === 1 ? 0x58 : b)), /not a \.npy file/],
    ['version 9', Uint8Array.from(good, (b, i) => (i === 6 ? 9 : b)), /version 9\.0/],
    ['a header that is not a dict', header("['descr', '<f4']"), /not a \{\.\.\.\} dict/],
    ['a header with a stray key', header("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}"), /not the dict numpy writes/],
    ['a header without shape', header("{'descr': '<f4', 'fortran_order': False}"), /no "shape"/],
    ['fortran order', header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), /Fortran order/],
    ['float16', header("{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }"), /dtype "<f2" is not supported/],
    ['big-endian', header("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }"), /big-endian/],
    ['a data length that does not match the shape', header("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), /needs 20 data bytes, the file has 16/],
  ];
}
