// Regressions in load-time folding: Slice with a negative step, Cast to float16/bfloat16, integer results
// outside int32, the folded-element budget, Unsqueeze with repeated axes. Loadable models are checked
// against onnxruntime-node; refusals by their one-line message.

import { describe, expect, it } from 'vitest';
import { ShapeError, UnsupportedOpError } from '../../models/errors.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { checkAgainstOrt, float, int64, opsOf, random } from './fold-helpers.ts';

const TO_FLOAT = 1;
const TO_INT64 = 7;
const TO_FLOAT16 = 10;
const TO_UINT32 = 12;
const TO_BFLOAT16 = 16;
const INT64_MAX = (1n << 63n) - 1n;

const INT32_FIX = 'keep integer (shape) arithmetic within [-2^31, 2^31 - 1]';

describe('folded Slice with a negative step', () => {
  // [start, end] pairs around and past both ends of a 3-element axis, step -1 and -2.
  const cases: [number | bigint, number | bigint, number][] = [
    [-4, -5, -1], [5, -10, -1], [2, -4, -1], [-1, -4, -2], [10, 0, -1], [1, INT64_MAX, -1], [INT64_MAX, -INT64_MAX - 1n, -1],
  ];
  for (const [start, end, step] of cases) {
    it(`starts ${start}, ends ${end}, steps ${step} on [1, 2, 3]`, async () => {
      const m: WriterModel = {
        opset: 13,
        inputs: [{ name: 'x', dims: [2] }],
        outputs: [{ name: 'y' }, { name: 'z' }],
        initializers: [float('w', [1, 2, 3]), int64('s', [start]), int64('e', [end]), int64('a', [0]), int64('st', [step])],
        nodes: [
          { op: 'Slice', inputs: ['w', 's', 'e', 'a', 'st'], outputs: ['c'] },
          { op: 'Neg', inputs: ['c'], outputs: ['y'] },
          { op: 'Relu', inputs: ['x'], outputs: ['z'] },
        ],
      };
      await checkAgainstOrt(m, { x: random([2]) });
    });
  }
});

describe('folded Cast to float16 and bfloat16', () => {
  // Ties (1 + 2^-11 and 1 + 3·2^-11 for half; 1 + 2^-8, 1 + 3·2^-8 for bfloat16), 65504/65519/65520 (half
  // overflow), half subnormals and the ties below them, negatives, huge values, zero. Compared element by
  // element with Object.is (infinities and signed zeros included); onnxruntime-node cannot expose bfloat16
  // intermediates, so only the float output is read.
  const values = [
    1.0004, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 65504, 65519, 65520, 70000, -65520, 2 ** -24,
    2 ** -25, 3 * 2 ** -25, 1.5 * 2 ** -24, 2 ** -15 + 2 ** -25, -3.3e-6, 1e-40, 3.3e38, -3.4e38, 3.4028235e38, 0, -0.1, 2049,
    2051, 257, 259, 1 / 3, -(2 ** -26),
  ];
  for (const to of [TO_FLOAT16, TO_BFLOAT16]) {
    it(`Cast(to=${to}) → Cast(float) of constants matches onnxruntime exactly`, async () => {
      const m: WriterModel = {
        opset: 13,
        inputs: [{ name: 'x', dims: [values.length] }],
        outputs: [{ name: 'y' }],
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['k'], attrs: { value: { tensor: { dims: [values.length], data: Float32Array.from(values) } } } },
          { op: 'Cast', inputs: ['k'], outputs: ['h'], attrs: { to: { int: to } } },
          { op: 'Cast', inputs: ['h'], outputs: ['f'], attrs: { to: { int: TO_FLOAT } } },
          { op: 'Mul', inputs: ['x', 'f'], outputs: ['y'] },
        ],
      };
      const bytes = writeOnnx(m);
      const graph = loadOnnx(bytes);
      expect(opsOf(graph)).toEqual(['Mul']);
      const ours = [...graph.initializers.get(graph.nodes[0].inputs[1])!.data];
      const x = { dims: [values.length], data: new Float32Array(values.length).fill(1) };
      const session = await OrtModel.create(bytes);
      const theirs = [...(await session.run({ x })).get('y')!.data];
      await session.release();
      ours.forEach((v, i) => expect(Object.is(v, theirs[i]), `value ${values[i]}: opml ${v}, onnxruntime ${theirs[i]}`).toBe(true));
      if (to === TO_FLOAT16) {
        expect([ours[0], ours[1], ours[2], ours[6], ours[7], ours[9]]).toEqual([1, 1, 1 + 4 * 2 ** -11, 65504, Infinity, -Infinity]);
      } else {
        expect([ours[0], ours[3], ours[4]]).toEqual([1, 1, 1 + 4 * 2 ** -8]);
      }
    });
  }
});

describe('integer folding outside int32', () => {
  const refused = (nodes: WriterModel['nodes'], initializers: WriterModel['initializers'] = []) => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1] }],
      outputs: [{ name: 'y' }],
      initializers,
      nodes: [...nodes, { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: { int: TO_FLOAT } } }, { op: 'Add', inputs: ['x', 'f'], outputs: ['y'] }],
    };
    return () => loadOnnx(writeOnnx(m));
  };

  it('a float too large for int32 cast to int64 is refused', () => {
    const load = refused([
      { op: 'Constant', inputs: [], outputs: ['k'], attrs: { value: { tensor: { dims: [1], data: Float32Array.of(3e9) } } } },
      { op: 'Cast', name: 'big', inputs: ['k'], outputs: ['i'], attrs: { to: { int: TO_INT64 } } },
    ]);
    expect(load).toThrow(new UnsupportedOpError('node "big" (Cast)', 'value 3000000000 does not fit int32; opml holds integers as int32', INT32_FIX));
  });

  it('an int64 product past int32 is refused', () => {
    const load = refused([{ op: 'Mul', name: 'sq', inputs: ['a', 'a'], outputs: ['i'] }], [int64('a', [65536])]);
    expect(load).toThrow(new UnsupportedOpError('node "sq" (Mul)', 'value 4294967296 does not fit int32; opml holds integers as int32', INT32_FIX));
  });

  it('a negative int cast to UINT32 wraps past int32 and is refused', () => {
    const load = refused([{ op: 'Cast', name: 'u', inputs: ['a'], outputs: ['i'], attrs: { to: { int: TO_UINT32 } } }], [int64('a', [-1])]);
    expect(load).toThrow(new UnsupportedOpError('node "u" (Cast)', 'value 4294967295 does not fit int32; opml holds integers as int32', INT32_FIX));
  });

  it('a ReduceSum of int64 past int32 is refused', () => {
    const load = refused([{ op: 'ReduceSum', name: 'rs', inputs: ['a'], outputs: ['i'], attrs: { keepdims: { int: 0 } } }], [int64('a', [2 ** 30, 2 ** 30])]);
    expect(load).toThrow(new UnsupportedOpError('node "rs" (ReduceSum)', 'value 2147483648 does not fit int32; opml holds integers as int32', INT32_FIX));
  });

  it('in-range casts (UINT32 of non-negatives, narrow wraps) and INT64_MAX Slice ends still match onnxruntime', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [4] }],
      outputs: [{ name: 'y' }],
      initializers: [int64('a', [7, 300, -1, 2 ** 31 - 1, 5]), int64('one', [1]), int64('end', [INT64_MAX]), int64('ax', [0])],
      nodes: [
        { op: 'Slice', inputs: ['a', 'one', 'end', 'ax'], outputs: ['t'] },
        { op: 'Cast', inputs: ['t'], outputs: ['b'], attrs: { to: { int: 3 } } }, // INT8: 300 → 44, -1 → -1
        { op: 'Cast', inputs: ['b'], outputs: ['bf'], attrs: { to: { int: TO_FLOAT } } },
        { op: 'Abs', inputs: ['t'], outputs: ['ta'] },
        { op: 'Cast', inputs: ['ta'], outputs: ['u'], attrs: { to: { int: TO_UINT32 } } },
        { op: 'Cast', inputs: ['u'], outputs: ['uf'], attrs: { to: { int: TO_FLOAT } } },
        { op: 'Add', inputs: ['x', 'bf'], outputs: ['s'] },
        { op: 'Add', inputs: ['s', 'uf'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([4]) });
    expect(opsOf(graph)).toEqual(['Add', 'Add']);
  });
});

describe('folding budget', () => {
  it('ConstantOfShape([4096, 4096]) → 4× Transpose → ReduceSum is refused, naming the node and the budget', () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1] }],
      outputs: [{ name: 'y' }],
      initializers: [int64('shape', [4096, 4096])],
      nodes: [
        { op: 'ConstantOfShape', inputs: ['shape'], outputs: ['c0'], attrs: { value: { tensor: { dims: [1], data: Float32Array.of(1) } } } },
        ...[1, 2, 3, 4].map((i) => ({ op: 'Transpose', name: `t${i}`, inputs: [`c${i - 1}`], outputs: [`c${i}`] })),
        { op: 'ReduceSum', inputs: ['c4'], outputs: ['r'], attrs: { keepdims: { int: 0 } } },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] },
      ],
    };
    expect(() => loadOnnx(writeOnnx(m))).toThrow(new ShapeError(
      'node "t4" (Transpose)',
      'folding it at load time would build 16777216 more constant elements after 67108864, past this model\'s budget of 67108872 (2^26 plus four per weight element)',
      'the model is corrupt, or compute these values at run time',
    ));
  });

  it('a folded Transpose of 2^20 elements then ReduceSum matches onnxruntime', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1] }],
      outputs: [{ name: 'y' }],
      initializers: [int64('shape', [256, 64, 64])],
      nodes: [
        { op: 'ConstantOfShape', inputs: ['shape'], outputs: ['c0'], attrs: { value: { tensor: { dims: [1], data: Float32Array.of(0.5) } } } },
        { op: 'Transpose', inputs: ['c0'], outputs: ['c1'], attrs: { perm: { ints: [2, 0, 1] } } },
        { op: 'ReduceSum', inputs: ['c1', 'ax'], outputs: ['r'], attrs: { keepdims: { int: 0 } } },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] },
      ],
      // ReduceSum over axes 1 and 2 leaves 64 sums of 16384 halves.
    };
    m.initializers!.push(int64('ax', [1, 2]));
    m.inputs[0].dims = [64];
    const { graph } = await checkAgainstOrt(m, { x: random([64]) });
    expect(opsOf(graph)).toEqual(['Add']);
  });
});

describe('folded Unsqueeze axes', () => {
  const unsqueeze = (axes: number[]): (() => unknown) => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1] }],
      outputs: [{ name: 'y' }],
      initializers: [float('w', [1, 2, 3, 4, 5], [5]), int64('axes', axes)],
      nodes: [
        { op: 'Unsqueeze', name: 'u', inputs: ['w', 'axes'], outputs: ['c'] },
        { op: 'ReduceSum', inputs: ['c'], outputs: ['r'], attrs: { keepdims: { int: 0 } } },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] },
      ],
    };
    return () => loadOnnx(writeOnnx(m));
  };

  it('repeated axes are refused by name', () => {
    expect(unsqueeze([0, 0])).toThrow(new ShapeError('node "u" (Unsqueeze)', 'axes [0, 0] repeat an axis', 'list each axis once'));
    expect(unsqueeze([-1, 2])).toThrow(new ShapeError('node "u" (Unsqueeze)', 'axes [-1, 2] repeat an axis', 'list each axis once'));
  });

  it('an axis out of range is refused by name', () => {
    expect(unsqueeze([0, 3])).toThrow(new ShapeError('node "u" (Unsqueeze)', 'axes 3 is out of range for rank 3', 'use a value in [-3, 2]'));
  });
});
