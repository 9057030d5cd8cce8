// Load-time folding of the shape arithmetic real exporters write, aliases, If with a constant condition,
// and the refusals (run-time If, unsupported ops inside subgraphs, opsets outside 7..25). Results are
// checked against onnxruntime-node.

import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../models/float/evaluate.ts';
import { OrtModel } from '../../models/onnx/ort.ts';
import { OnnxLoadError, UnsupportedOpError } from '../../models/errors.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { isLoadableOp, unsupportedNodes } from '../../models/onnx/support.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { checkAgainstOrt, float, int64, opsOf, random } from './fold-helpers.ts';

const INT64_MAX = (1n << 63n) - 1n;
const TO_FLOAT = 1;
const TO_INT64 = 7;

/** PyTorch's `x.view(x.size(0), -1)`: Shape → Gather → Unsqueeze → Concat → Reshape. */
function viewModel(opset: number): WriterModel {
  const unsqueeze = opset >= 13
    ? { op: 'Unsqueeze', inputs: ['n', 'axes0'], outputs: ['n1'] }
    : { op: 'Unsqueeze', inputs: ['n'], outputs: ['n1'], attrs: { axes: { ints: [0] } } };
  return {
    opset,
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    outputs: [{ name: 'y' }],
    initializers: [int64('zero', [0], []), int64('axes0', [0]), int64('minus1', [-1])],
    nodes: [
      { op: 'Shape', inputs: ['x'], outputs: ['s'] },
      { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: { int: 0 } } },
      unsqueeze,
      { op: 'Concat', inputs: ['n1', 'minus1'], outputs: ['shape'], attrs: { axis: { int: 0 } } },
      { op: 'Reshape', name: 'view', inputs: ['x', 'shape'], outputs: ['y'] },
    ],
  };
}

describe('folding shape arithmetic', () => {
  for (const opset of [9, 11, 13, 17]) {
    it(`x.view(x.size(0), -1) at opset ${opset} folds to one Reshape`, async () => {
      const { graph } = await checkAgainstOrt(viewModel(opset), { x: random([2, 3, 4]) });
      expect(opsOf(graph)).toEqual(['Reshape']);
      expect(graph.nodes[0].attrs).toEqual({ shape: [2, 12] });
      expect(graph.intInitializers.size).toBe(0);
    });
  }

  it('Slice to INT64_MAX, ReduceProd on ints, Shape with start (opset 15)', async () => {
    const m: WriterModel = {
      opset: 15,
      inputs: [{ name: 'x', dims: [2, 3, 4] }],
      outputs: [{ name: 'y' }, { name: 'tail', dtype: 'int64' }],
      initializers: [int64('one', [1]), int64('end', [INT64_MAX]), int64('minus1', [-1])],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Slice', inputs: ['s', 'one', 'end'], outputs: ['rest'] },
        { op: 'ReduceProd', inputs: ['rest'], outputs: ['p'], attrs: { keepdims: { int: 1 } } },
        { op: 'Concat', inputs: ['minus1', 'p'], outputs: ['shape'], attrs: { axis: { int: 0 } } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
        { op: 'Shape', inputs: ['x'], outputs: ['tail'], attrs: { start: { int: -2 } } },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([2, 3, 4]) });
    expect(opsOf(graph)).toEqual(['Reshape']);
    expect(graph.intInitializers.get('tail')).toEqual({ dims: [2], data: Int32Array.of(3, 4) });
  });

  it('opset-9 Slice attributes holding INT64_MAX (as PyTorch writes "to the end")', async () => {
    const m: WriterModel = {
      opset: 9,
      inputs: [{ name: 'x', dims: [3, 5] }],
      outputs: [{ name: 'y' }],
      nodes: [{ op: 'Slice', inputs: ['x'], outputs: ['y'], attrs: { starts: { ints: [1, -2] }, ends: { ints: [0, 0] }, axes: { ints: [1, 0] } } }],
    };
    const proto = fromBinary(ModelProtoSchema, writeOnnx(m));
    proto.graph!.node[0].attribute.find((a) => a.name === 'ends')!.ints = [INT64_MAX, INT64_MAX];
    const bytes = toBinary(ModelProtoSchema, proto);
    const graph = loadOnnx(bytes);
    const x = random([3, 5]);
    const ours = evaluate(graph, { x }).outputs[0];
    const session = await OrtModel.create(bytes);
    const theirs = (await session.run({ x })).get('y')!;
    await session.release();
    expect(ours.dims).toEqual(theirs.dims);
    expect([...ours.data]).toEqual([...theirs.data]);
    expect(ours.dims).toEqual([2, 4]);
  });

  it('ConstantOfShape, Range, Equal and Where on constants, Cast of constants and of run-time floats', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y' }],
      initializers: [int64('start', [0], []), int64('delta', [1], []), int64('two', [2], []), int64('one', [1], [])],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'ConstantOfShape', inputs: ['s'], outputs: ['ones'], attrs: { value: { tensor: { dims: [1], data: Float32Array.of(1.5) } } } },
        { op: 'Gather', inputs: ['s', 'one'], outputs: ['n'], attrs: { axis: { int: 0 } } },
        { op: 'Range', inputs: ['start', 'n', 'delta'], outputs: ['r'] },
        { op: 'Equal', inputs: ['r', 'two'], outputs: ['is2'] },
        { op: 'Cast', inputs: ['r'], outputs: ['rf'], attrs: { to: { int: TO_FLOAT } } },
        { op: 'Where', inputs: ['is2', 'ones', 'rf'], outputs: ['w'] },
        { op: 'Cast', inputs: ['x'], outputs: ['xf'], attrs: { to: { int: TO_FLOAT } } },
        { op: 'Mul', inputs: ['xf', 'w'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([1, 4]) });
    expect(opsOf(graph)).toEqual(['Mul']);
    expect(graph.nodes[0].inputs[0]).toBe('x');
    expect([...graph.initializers.get(graph.nodes[0].inputs[1])!.data]).toEqual([0, 1, 1.5, 3]);
  });

  it('integer arithmetic: Div truncates, Mod follows the divisor, Neg/Abs/Min/Max, Not/And/Or, Less/Greater(OrEqual)', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [1, 6] }],
      outputs: [{ name: 'y' }],
      initializers: [int64('a', [-7, 7, -7, 7, 5, 0]), int64('b', [2, -2, -2, 2, 5, 3])],
      nodes: [
        { op: 'Div', inputs: ['a', 'b'], outputs: ['q'] },
        { op: 'Mod', inputs: ['a', 'b'], outputs: ['r'] },
        { op: 'Neg', inputs: ['q'], outputs: ['nq'] },
        { op: 'Abs', inputs: ['r'], outputs: ['ar'] },
        { op: 'Max', inputs: ['nq', 'ar'], outputs: ['mx'] },
        { op: 'Min', inputs: ['mx', 'b'], outputs: ['mn'] },
        { op: 'Less', inputs: ['a', 'b'], outputs: ['lt'] },
        { op: 'GreaterOrEqual', inputs: ['a', 'b'], outputs: ['ge'] },
        { op: 'Not', inputs: ['lt'], outputs: ['nlt'] },
        { op: 'And', inputs: ['nlt', 'ge'], outputs: ['both'] },
        { op: 'Greater', inputs: ['a', 'b'], outputs: ['gt'] },
        { op: 'LessOrEqual', inputs: ['a', 'b'], outputs: ['le'] },
        { op: 'Or', inputs: ['gt', 'le'], outputs: ['any'] },
        { op: 'Where', inputs: ['both', 'mn', 'q'], outputs: ['w'] },
        { op: 'Where', inputs: ['any', 'w', 'r'], outputs: ['w2'] },
        { op: 'Cast', inputs: ['w2'], outputs: ['wf'], attrs: { to: { int: TO_FLOAT } } },
        { op: 'Add', inputs: ['x', 'wf'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([1, 6]) });
    expect(opsOf(graph)).toEqual(['Add']);
  });

  it('Expand, Tile, Transpose, Squeeze, Flatten, Sub on constants; a float Transpose of a weight folds', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }],
      initializers: [
        float('w', [1, 2, 3, 4, 5, 6], [3, 2]), float('b', [0.5, -0.5], [1, 2]), int64('shape', [2, 1, 2]),
        int64('reps', [1, 1, 1]), int64('ax', [1]),
      ],
      nodes: [
        { op: 'Transpose', inputs: ['w'], outputs: ['wt'], attrs: { perm: { ints: [1, 0] } } },
        { op: 'Transpose', inputs: ['wt'], outputs: ['w2'] },
        { op: 'Expand', inputs: ['b', 'shape'], outputs: ['be'] },
        { op: 'Tile', inputs: ['be', 'reps'], outputs: ['bt'] },
        { op: 'Squeeze', inputs: ['bt', 'ax'], outputs: ['bs'] },
        { op: 'Flatten', inputs: ['bs'], outputs: ['bf'], attrs: { axis: { int: 1 } } },
        { op: 'Sub', inputs: ['bf', 'b'], outputs: ['zero'] },
        { op: 'MatMul', inputs: ['x', 'w2'], outputs: ['h'] },
        { op: 'Add', inputs: ['h', 'zero'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([2, 3]) });
    expect(opsOf(graph)).toEqual(['MatMul', 'Add']);
  });
});

describe('aliases', () => {
  it('Identity and Dropout chains vanish; graph outputs keep their names', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y' }, { name: 'same' }],
      initializers: [float('ratio', [0.5], [])],
      nodes: [
        { op: 'Identity', inputs: ['x'], outputs: ['a'] },
        { op: 'Dropout', inputs: ['a', 'ratio'], outputs: ['b', 'mask'] },
        { op: 'Relu', name: 'relu', inputs: ['b'], outputs: ['c'] },
        { op: 'Dropout', inputs: ['c'], outputs: ['d'] },
        { op: 'Identity', inputs: ['d'], outputs: ['y'] },
        { op: 'Identity', inputs: ['x'], outputs: ['same'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([2, 3]) });
    expect(opsOf(graph)).toEqual(['Relu', 'Reshape']);
    expect(graph.nodes[0]).toMatchObject({ name: 'relu', inputs: ['x'], outputs: ['y'] });
    expect(graph.nodes[1]).toMatchObject({ inputs: ['x'], outputs: ['same'] });
  });

  it('a graph output that is an integer graph input passed through is refused', () => {
    const bytes = writeOnnx({
      inputs: [{ name: 't', dims: [3], dtype: 'int64' }],
      outputs: [{ name: 'u', dtype: 'int64' }],
      nodes: [{ op: 'Identity', inputs: ['t'], outputs: ['u'] }],
    });
    expect(() => loadOnnx(bytes)).toThrow(new OnnxLoadError('graph output "u"', 'it is the integer graph input "t" passed through unchanged', 'remove that output or compute something from it'));
  });
});

/** x → If(cond) → then: Relu(x)·2, else: Sigmoid(x). */
function ifModel(cond: WriterModel['nodes'], condName: string, extraInputs: WriterModel['inputs'] = []): WriterModel {
  return {
    opset: 13,
    inputs: [{ name: 'x', dims: [2, 3] }, ...extraInputs],
    outputs: [{ name: 'y' }],
    initializers: [int64('three', [3], [])],
    nodes: [
      ...cond,
      {
        op: 'If', name: 'branch', inputs: [condName], outputs: ['y'], attrs: {
          then_branch: { graph: {
            inputs: [], outputs: [{ name: 't2' }],
            initializers: [float('two', [2], [])],
            nodes: [{ op: 'Relu', name: 'r', inputs: ['x'], outputs: ['t1'] }, { op: 'Mul', name: 'm', inputs: ['t1', 'two'], outputs: ['t2'] }],
          } },
          else_branch: { graph: { inputs: [], outputs: [{ name: 'e1' }], nodes: [{ op: 'Sigmoid', name: 's', inputs: ['x'], outputs: ['e1'] }] } },
        },
      },
    ],
  };
}

describe('If', () => {
  it('with a constant condition is inlined', async () => {
    const cond = [{ op: 'Size', inputs: ['x'], outputs: ['n'] }, { op: 'Greater', inputs: ['n', 'three'], outputs: ['c'] }];
    const { graph } = await checkAgainstOrt(ifModel(cond, 'c'), { x: random([2, 3]) });
    expect(opsOf(graph)).toEqual(['Relu', 'Mul']);
    expect(graph.nodes.map((n) => n.name)).toEqual(['branch/r', 'branch/m']);
    expect(graph.nodes[1].outputs).toEqual(['y']);
    const other = [{ op: 'Size', inputs: ['x'], outputs: ['n'] }, { op: 'Less', inputs: ['n', 'three'], outputs: ['c'] }];
    expect(opsOf((await checkAgainstOrt(ifModel(other, 'c'), { x: random([2, 3]) })).graph)).toEqual(['Sigmoid']);
  });

  it('only the branch taken has to load; an unsupported op in it is named by path', () => {
    const model = ifModel([{ op: 'Size', inputs: ['x'], outputs: ['n'] }, { op: 'Greater', inputs: ['n', 'three'], outputs: ['c'] }], 'c');
    const withBad = (branch: 'then_branch' | 'else_branch') => {
      const m = structuredClone(model);
      const g = (m.nodes[2].attrs![branch] as { graph: { nodes: { op: string }[] } }).graph;
      g.nodes[0].op = 'NoSuchOp';
      return writeOnnx(m);
    };
    expect(opsOf(loadOnnx(withBad('else_branch')))).toEqual(['Relu', 'Mul']);
    expect(() => loadOnnx(withBad('then_branch'))).toThrow(new UnsupportedOpError(
      'node "then_branch/r" (NoSuchOp) inside node "branch" (If)',
      'op NoSuchOp is not supported',
      'see docs/MODELS.md "Op × opset coverage" for the ops opml loads, or re-export without it',
    ));
  });

  it('with a run-time condition is refused by name', () => {
    const bytes = writeOnnx(ifModel([], 'flag', [{ name: 'flag', dims: [], dtype: 'int64' }]));
    expect(() => loadOnnx(bytes)).toThrow(new UnsupportedOpError(
      'node "branch" (If)',
      'its condition "flag" is computed at run time (opml inlines If only when the condition is a load-time constant)',
      'export with the branch taken fixed (trace instead of script, or static input dims)',
    ));
  });
});

describe('initializer element types', () => {
  it('float64, int32, int8, uint8 and bool initializers are read (float64 → float32, bool → 0/1)', async () => {
    const m: WriterModel = {
      opset: 13,
      inputs: [{ name: 'x', dims: [4] }],
      outputs: [{ name: 'y' }],
      initializers: [
        { name: 'd', dims: [4], data: Float32Array.of(0.1, -2.5, 1e-3, 3), dtype: 'float64' },
        { name: 'i', dims: [4], data: Int32Array.of(-7, 0, 100000, 3), dtype: 'int32' },
        { name: 'b', dims: [4], data: Int32Array.of(-128, 127, 0, 5), dtype: 'int8' },
        { name: 'u', dims: [4], data: Int32Array.of(0, 255, 17, 1), dtype: 'uint8' },
        { name: 'f', dims: [4], data: Int32Array.of(1, 0, 0, 1), dtype: 'bool' },
      ],
      nodes: [
        ...['d', 'i', 'b', 'u', 'f'].map((n) => ({ op: 'Cast', inputs: [n], outputs: [`${n}f`], attrs: { to: { int: TO_FLOAT } } })),
        { op: 'Sum', inputs: ['df', 'if', 'bf', 'uf', 'ff'], outputs: ['s'] },
        { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
      ],
    };
    const { graph } = await checkAgainstOrt(m, { x: random([4]) });
    expect(opsOf(graph)).toEqual(['Mul']);
    const typed = writeOnnx({ ...m, encoding: 'typed' });
    expect(loadOnnx(typed).initializers).toEqual(graph.initializers);
    // A Cast whose result nothing reads is folded and pruned.
    const cast = writeOnnx({ ...m, nodes: [{ op: 'Cast', inputs: ['i'], outputs: ['c'], attrs: { to: { int: TO_INT64 } } }, ...m.nodes] });
    expect(loadOnnx(cast).intInitializers.size).toBe(0);
  });
});

describe('refusals', () => {
  it('opsets 6 and 26', () => {
    const m: WriterModel = { inputs: [{ name: 'x', dims: [2] }], outputs: [{ name: 'y' }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] };
    const six = writeOnnx({ ...m, opset: 6 });
    expect(() => loadOnnx(six)).toThrow(`ONNX model (${six.length} bytes): opset 6 is older than the supported range 7..25; convert it with onnx.version_converter to opset 7 or later`);
    const late = writeOnnx({ ...m, opset: 26 });
    expect(() => loadOnnx(late)).toThrow(`ONNX model (${late.length} bytes): opset 26 is newer than the supported range 7..25`);
    expect(loadOnnx(writeOnnx({ ...m, opset: 7 })).opset).toBe(7);
    expect(loadOnnx(writeOnnx({ ...m, opset: 25 })).opset).toBe(25);
  });

  const loop: WriterModel = {
    opset: 13,
    inputs: [{ name: 'x', dims: [2] }],
    outputs: [{ name: 'y' }],
    initializers: [int64('trips', [3], [])],
    nodes: [{
      op: 'Loop', name: 'L', inputs: ['trips', '', 'x'], outputs: ['y'], attrs: {
        body: { graph: {
          inputs: [{ name: 'i', dims: [], dtype: 'int64' }, { name: 'c', dims: [] }, { name: 'v', dims: [2] }],
          outputs: [{ name: 'c' }, { name: 'w' }],
          nodes: [{ op: 'Relu', name: 'ok', inputs: ['v'], outputs: ['u'] }, { op: 'NoSuchOp', name: 'foo', inputs: ['u'], outputs: ['w'] }],
        } },
      },
    }],
  };

  it('a Loop whose body has an unsupported op names it by path', () => {
    expect(() => loadOnnx(writeOnnx(loop))).toThrow(new UnsupportedOpError(
      'node "body/foo" (NoSuchOp) inside node "L" (Loop)',
      'op NoSuchOp is not supported',
      'see docs/MODELS.md "Op × opset coverage" for the ops opml loads, or re-export without it',
    ));
  });

  it('unsupportedNodes lists every node that cannot run, inside subgraphs too', () => {
    const names = unsupportedNodes(writeOnnx(loop)).map((n) => `${n.name} (${n.op})`);
    expect(names).toEqual(['L (Loop)', 'L/body/foo (NoSuchOp)']);
    expect(isLoadableOp('Shape')).toBe(true);
    expect(isLoadableOp('Upsample')).toBe(true);
    expect(isLoadableOp('Loop')).toBe(false);
  });

  it('shape arithmetic on run-time values is refused by name', () => {
    const bytes = writeOnnx({
      opset: 13,
      inputs: [{ name: 't', dims: [3], dtype: 'int64' }],
      outputs: [{ name: 'y', dtype: 'int64' }],
      nodes: [{ op: 'Range', name: 'rg', inputs: ['t', 't', 't'], outputs: ['y'] }],
    });
    expect(() => loadOnnx(bytes)).toThrow('node "rg" (Range): Range of run-time values is not supported');
  });
});
