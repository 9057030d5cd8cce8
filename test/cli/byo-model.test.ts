/**
 * Bring your own model: an ONNX file outside the zoo, written here, with a symbolic batch dim, an int64 input
 * feeding a Gather and two inputs, driven through every step a user takes: `inspect` with nothing else, then
 * --shape, quantize with .npy and JSON calibration, run with --input x.npy and name=x.npy, eval on a dataset
 * with labels, and a replay on anvil. Then the one input format's reader (.npy v1/v2/v3) and every bad input:
 * one line, the right exit code.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputFormatError, readNpy, writeNpy } from '../../models/inputs/npy.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { expectClean, opmlIn } from '../support/cli.ts';
import { malformedNpy } from '../support/npy.ts';
import { deployedGame } from '../support/chain.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'opml-byo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
const wave = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);

// Two inputs, both with a symbolic batch: x float [batch, 4] and ids int64 [batch, 2] indexing a [6, 4] table.
const two = file(
  'two.onnx',
  writeOnnx({
    producer: 'opml-test',
    inputs: [{ name: 'x', dims: ['batch', 4] }, { name: 'ids', dims: ['batch', 2], dtype: 'int64' }],
    outputs: [{ name: 'y', dims: ['batch', 3] }],
    initializers: [{ name: 'E', dims: [6, 4], data: wave(24, 1) }, { name: 'w', dims: [3, 4], data: wave(12, 2) }],
    nodes: [
      { op: 'Gather', name: 'embed', inputs: ['E', 'ids'], outputs: ['e'], attrs: { axis: { int: 0 } } },
      { op: 'ReduceMean', name: 'pool', inputs: ['e'], outputs: ['p'], attrs: { axes: { ints: [1] }, keepdims: { int: 0 } } },
      { op: 'Add', name: 'mix', inputs: ['x', 'p'], outputs: ['h'] },
      { op: 'Gemm', name: 'fc', inputs: ['h', 'w'], outputs: ['y'], attrs: { transB: { int: 1 } } },
    ],
  }),
);
// One input with a symbolic batch: image [batch, 4] → Gemm → Relu.
const one = file(
  'one.onnx',
  writeOnnx({
    inputs: [{ name: 'image', dims: ['N', 4] }],
    outputs: [{ name: 'logits', dims: ['N', 3] }],
    initializers: [{ name: 'w', dims: [3, 4], data: wave(12, 5) }],
    nodes: [{ op: 'Gemm', name: 'fc', inputs: ['image', 'w'], outputs: ['logits'], attrs: { transB: { int: 1 } } }],
  }),
);

const N = 12;
const xs = file('x.npy', writeNpy([N, 1, 4], wave(N * 4, 3)));
const ids = file('ids.npy', writeNpy([N, 1, 2], BigInt64Array.from({ length: N * 2 }, (_, i) => BigInt((i * 7) % 6)), 'int64'));
const x1 = file('x1.npy', writeNpy([1, 4], wave(4, 9)));
const ids1 = file('ids1.npy', writeNpy([1, 2], BigInt64Array.from([2n, 5n]), 'int64'));
const images = file('images.npy', writeNpy([N, 4], wave(N * 4, 4), 'float64'));
const labels = file('labels.json', JSON.stringify(Array.from({ length: N }, (_, i) => i % 3)));
const labelsNpy = file('labels.npy', writeNpy([N], Array.from({ length: N }, (_, i) => i % 3), 'int64'));
const calibJson = file(
  'calib.json',
  JSON.stringify(Array.from({ length: 4 }, (_, s) => ({ x: { dims: [1, 4], data: Array.from(wave(4, s)) }, ids: { dims: [1, 2], data: [s % 6, (s + 1) % 6], dtype: 'int64' } }))),
);
const SHAPES = ['--shape', 'x=1,4', '--shape', 'ids=1,2'];
const NPY_CALIB = ['--calibration', `x=${xs}`, '--calibration', `ids=${ids}`];

describe('opml inspect <file.onnx> before anything else is given', () => {
  it('prints opset, producer, inputs (dtype, symbolic dims), outputs and what to give next; exit 0', async () => {
    const r = await opmlIn(['inspect', two]);
    expectClean(r, 'inspect', 0);
    expect(r.stdout).toMatch(/ONNX opset 17, produced by opml-test/);
    expect(r.stdout).toMatch(/input\s+x\s+float32\s+\[batch, 4\]\s+symbolic: needs --shape/);
    expect(r.stdout).toMatch(/input\s+ids\s+int64\s+\[batch, 2\]/);
    expect(r.stdout).toMatch(/output\s+y\s+float32\s+\[batch, 3\]/);
    expect(r.stdout).toMatch(/every node is supported/);
    expect(r.stdout).toContain('--shape x=1,4 --shape ids=1,2');
    expect(r.stdout).toMatch(/--calibration samples\.json/);
  });

  it('--json gives the same as one document', async () => {
    const r = await opmlIn(['inspect', two, '--shape', 'x=1,4', '--json']);
    expectClean(r, 'inspect --json', 0);
    const j = JSON.parse(r.stdout);
    expect(j.onnx.opset).toBe(17);
    expect(j.onnx.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: ['batch', 4] }, { name: 'ids', dtype: 'int64', dims: ['batch', 2] }]);
    expect(j.onnx.outputs[0].name).toBe('y');
    expect(j.onnx.unsupported).toEqual([]);
    expect(j.onnx.next.join('\n')).toContain('--shape ids=1,2');
    expect(j.onnx.next.join('\n')).not.toContain('--shape x=1,4 (');
  });

  it('with --shape and --calibration it goes on to the integer nodes', async () => {
    const r = await opmlIn(['inspect', two, ...SHAPES, ...NPY_CALIB, '--json']);
    expectClean(r, 'inspect with calibration', 0);
    const j = JSON.parse(r.stdout);
    expect(j.nodes.map((n: { op: string }) => n.op)).toContain('gather');
    expect(j.inputs.map((t: { dims: number[] }) => t.dims)).toEqual([[1, 4], [1, 2]]);
  });
});

describe('quantize and run a model outside the zoo', () => {
  it('quantizes with .npy calibration (name=file.npy) and with JSON (int64 input included); runs with name=x.npy', async () => {
    const a = path.join(dir, 'a.opml');
    const b = path.join(dir, 'b.opml');
    expectClean(await opmlIn(['quantize', two, ...SHAPES, ...NPY_CALIB, '-o', a, '--json']), 'quantize npy', 0);
    expectClean(await opmlIn(['quantize', two, ...SHAPES, '--calibration', calibJson, '-o', b, '--json']), 'quantize json', 0);
    const run = await opmlIn(['run', two, ...SHAPES, ...NPY_CALIB, '--input', `x=${x1}`, '--input', `ids=${ids1}`, '--backend', 'cpu', '--json']);
    expectClean(run, 'run onnx', 0);
    const fromOpml = await opmlIn(['run', a, '--input', `x=${x1}`, '--input', `ids=${ids1}`, '--backend', 'cpu', '--json']);
    expectClean(fromOpml, 'run opml', 0);
    expect(JSON.parse(fromOpml.stdout).finalState).toBe(JSON.parse(run.stdout).finalState);
    // The JSON input form says the same as the .npy files.
    const json = file('in.json', JSON.stringify({ x: { dims: [1, 4], data: Array.from(wave(4, 9)) }, ids: { dims: [1, 2], data: [2, 5], dtype: 'int64' } }));
    const viaJson = await opmlIn(['run', a, '--input', json, '--backend', 'cpu', '--json']);
    expectClean(viaJson, 'run json', 0);
    expect(JSON.parse(viaJson.stdout).finalState).toBe(JSON.parse(run.stdout).finalState);
  });

  it('a one-input model takes --input x.npy and --shape without a name', async () => {
    const r = await opmlIn(['run', one, '--shape', '1,4', '--calibration', images, '--input', x1, '--backend', 'cpu', '--json']);
    expectClean(r, 'run one', 0);
    expect(JSON.parse(r.stdout).output).toHaveLength(3);
  });
});

describe('opml eval <model> --dataset', () => {
  it('reports top-1 agreement, error vs float and accuracy with labels (JSON or .npy)', async () => {
    for (const l of [labels, labelsNpy]) {
      const r = await opmlIn(['eval', two, ...SHAPES, ...NPY_CALIB, '--dataset', `x=${xs}`, '--dataset', `ids=${ids}`, '--labels', l, '--json']);
      expectClean(r, 'eval', 0);
      const [res] = JSON.parse(r.stdout);
      expect(res.kind).toBe('dataset');
      expect(res.samples).toBe(N);
      expect(res.outputs[0].rows).toBe(N);
      expect(res.outputs[0].top1Agreement).toBeGreaterThan(0.8);
      expect(res.outputs[0].relativeError).toBeLessThan(0.1);
      expect(res.labels).toBe(N);
      expect(res.intAccuracy).toBeGreaterThanOrEqual(0);
    }
    const human = await opmlIn(['eval', one, '--shape', '1,4', '--calibration', images, '--dataset', images, '--limit', '5']);
    expectClean(human, 'eval human', 0);
    expect(human.stdout).toMatch(/5 samples/);
    expect(human.stdout).toMatch(/logits\s+\[1,3\]\s+[\d.]+% of 5/);
  });
});

describe('replay on anvil with a model outside the zoo', () => {
  it('opml replay wrong-last-node two.onnx --calibration … --shape …: the honest side wins (input: the first calibration sample)', async () => {
    const r = await opmlIn(['replay', 'wrong-last-node', two, ...NPY_CALIB, ...SHAPES, '--json'], {}, 240_000);
    expectClean(r, 'replay', 0);
    const [res] = JSON.parse(r.stdout);
    expect(res.ok).toBe(true);
    expect(res.disputes[0].winner).toBe('challenger');
  }, 300_000);
});

describe('submit, verify-model, challenge and watch take the model the way run does', () => {
  it('submit records --calibration and --shape in its state; verify-model, challenge and a resumed watch derive the same model id', async () => {
    const game = await deployedGame('byo');
    try {
      const dep = ['--deployment', game.depFile];
      const state = path.join(game.dir, 'submitter-byo.json'); // the name `watch --role submitter` looks for
      const sub = await opmlIn(['submit', two, ...SHAPES, ...NPY_CALIB, '--input', `x=${x1}`, '--input', `ids=${ids1}`, '--backend', 'cpu', '--state', state, ...dep, '--json'], {}, 180_000);
      expectClean(sub, 'submit', 0);
      const { id, modelId } = JSON.parse(sub.stdout);
      const saved = JSON.parse(readFileSync(state, 'utf8'));
      expect(saved.model).toBe(path.resolve(two));
      expect(saved.calibration).toEqual([`x=${path.resolve(xs)}`, `ids=${path.resolve(ids)}`]);
      expect(saved.shape).toEqual(['x=1,4', 'ids=1,2']);
      const verify = await opmlIn(['verify-model', two, ...SHAPES, ...NPY_CALIB, ...dep, '--json'], {}, 180_000);
      expectClean(verify, 'verify-model', 0);
      expect(JSON.parse(verify.stdout).modelId).toBe(modelId);
      const ch = await opmlIn(['challenge', String(id), '--model', two, ...SHAPES, ...NPY_CALIB, '--backend', 'cpu', '--state', path.join(game.dir, 'ch.json'), ...dep, '--json'], {}, 180_000);
      expectClean(ch, 'challenge', 0);
      expect(JSON.parse(ch.stdout).agreed).toBe(true);
      // The window passes; a bare `watch --role submitter` knows the model only from the state file (its
      // calibration and shape included), re-derives the same graph and sees the result through to final.
      const rpc = async (method: string, params: unknown[]) => fetch(game.anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
      await rpc('evm_increaseTime', [game.deployment.challengeWindow + 1]);
      await rpc('evm_mine', []);
      const w = await opmlIn(['watch', '--role', 'submitter', '--state', state, '--until-done', '--interval', '100', '--backend', 'cpu', ...dep], {}, 180_000);
      expectClean(w, 'watch --role submitter from the state file', 0);
      expect(w.stdout).toContain(path.resolve(two));
    } finally {
      await game.stop();
    }
  }, 300_000);
});

describe('the .npy reader', () => {
  it('reads v1, v2 and v3 files of float32, float64, int64 and int32', () => {
    for (const dtype of ['float32', 'float64', 'int64', 'int32'] as const) {
      const v1 = writeNpy([2, 3], [1, 2, 3, 4, 5, -6], dtype);
      expect(readNpy(v1, 't')).toEqual({ dims: [2, 3], dtype, values: Float64Array.from([1, 2, 3, 4, 5, -6]) });
      for (const major of [2, 3]) {
        // The same header behind a 4-byte length.
        const hlen = v1[8] | (v1[9] << 8);
        const out = new Uint8Array(v1.length + 2);
        out.set(v1.subarray(0, 8));
        out[6] = major;
        new DataView(out.buffer).setUint32(8, hlen, true);
        out.set(v1.subarray(10), 12);
        expect(readNpy(out, 't').values).toEqual(Float64Array.from([1, 2, 3, 4, 5, -6]));
      }
    }
    expect(readNpy(writeNpy([], [7]), 't').dims).toEqual([]);
  });

  it('refuses each malformed file with one line naming the problem', () => {
    for (const [what, bytes, why] of malformedNpy()) {
      expect(() => readNpy(bytes, 'f.npy'), what).toThrow(InputFormatError);
      expect(() => readNpy(bytes, 'f.npy'), what).toThrow(why);
    }
  });
});

describe('bad inputs: one line, the right exit code', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['symbolic dims without --shape', ['run', two, '--calibration', calibJson, '--input', calibJson], 2, /input "x" has symbolic dims \[batch,4\]/],
    ['--shape without a name on a two-input model', ['quantize', two, '--shape', '1,4', '-o', path.join(dir, 'o.opml')], 2, /has 2 inputs/],
    ['--shape with a dim of 0', ['quantize', two, '--shape', 'x=1,0', '-o', path.join(dir, 'o.opml')], 2, /is invalid/],
    ['--shape with a letter', ['inspect', two, '--shape', 'x=1,b'], 2, /is invalid/],
    ['--shape with nothing after =', ['inspect', two, '--shape', 'x='], 2, /is invalid/],
    ['--shape of the wrong rank', ['inspect', two, '--shape', 'x=1,4,1'], 2, /rank 2/],
    ['--shape of an input that does not exist', ['inspect', two, '--shape', 'zz=1,4'], 2, /no input "zz"/],
    ['--shape against a fixed dim', ['inspect', two, '--shape', 'x=1,5'], 2, /fixes axis 1/],
    ['--shape given twice', ['inspect', two, '--shape', 'x=1,4', '--shape', 'x=2,4'], 2, /given twice/],
    ['an .onnx outside the zoo without calibration (replay)', ['replay', 'wrong-last-node', two, ...SHAPES], 3, /needs calibration samples/],
    ['an unnamed .npy for a two-input model', ['run', two, ...SHAPES, ...NPY_CALIB, '--input', x1], 3, /name each value/],
    ['a missing input', ['run', two, ...SHAPES, ...NPY_CALIB, '--input', `x=${x1}`], 3, /no value for input "ids"/],
    ['an .npy of the wrong size', ['run', two, ...SHAPES, ...NPY_CALIB, '--input', `x=${x1}`, '--input', `ids=${x1}`], 3, /needs 2 values \(dims \[1,2\]\)/],
    ['a fractional token id', ['run', two, ...SHAPES, ...NPY_CALIB, '--input', `x=${x1}`, '--input', `ids=${file('frac.npy', writeNpy([1, 2], [1.5, 2], 'float32'))}`], 3, /takes integers/],
    ['an int64 beyond int32', ['run', two, ...SHAPES, '--calibration', `x=${xs}`, '--calibration', `ids=${file('big.npy', writeNpy([N, 1, 2], BigInt64Array.from({ length: N * 2 }, () => 1n << 40n), 'int64'))}`, '--input', `x=${x1}`, '--input', `ids=${ids1}`], 3, /does not fit int32/],
    ['calibration files with different sample counts', ['quantize', two, ...SHAPES, '--calibration', `x=${xs}`, '--calibration', `ids=${ids1}`, '-o', path.join(dir, 'o.opml')], 3, /different numbers of samples/],
    ['a JSON calibration that names an unknown input', ['quantize', one, '--shape', '1,4', '--calibration', file('unknown.json', JSON.stringify([{ img: [1, 2, 3, 4] }])), '-o', path.join(dir, 'o.opml')], 3, /not an input of the model/],
    ['a JSON dtype that is not one', ['quantize', one, '--shape', '1,4', '--calibration', file('dt.json', JSON.stringify([{ image: { dims: [1, 4], data: [1, 2, 3, 4], dtype: 'uint8' } }])), '-o', path.join(dir, 'o.opml')], 3, /"dtype" "uint8" is not one of/],
    ['eval of a model outside the zoo without --dataset', ['eval', two, ...SHAPES, ...NPY_CALIB], 2, /no built-in test data/],
    ['eval with too few labels', ['eval', one, '--shape', '1,4', '--calibration', images, '--dataset', images, '--labels', file('few.json', '[0, 1]')], 3, /2 labels for 12 samples/],
    ['eval with a label that is not a class', ['eval', one, '--shape', '1,4', '--calibration', images, '--dataset', images, '--labels', file('neg.json', '[-1]')], 3, /not a class index/],
  ];
  for (const [what, npyBytes] of malformedNpy()) {
    const p = file(`bad-${what.replace(/\W+/g, '-')}.npy`, npyBytes);
    cases.push([`--input: a .npy ${what}`, ['run', one, '--shape', '1,4', '--calibration', images, '--input', p], 3, /--input .*\.npy: /]);
    cases.push([`--calibration: a .npy ${what}`, ['quantize', one, '--shape', '1,4', '--calibration', p, '-o', path.join(dir, 'o.opml')], 3, /--calibration .*\.npy: /]);
  }
  for (const [label, args, code, message] of cases) {
    it(label, async () => {
      const r = await opmlIn(args);
      expectClean(r, label, code);
      expect(r.stderr.split('\n')[0], r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^ {2}fix: \S/m);
    });
  }
});

