/**
 * Bad input through the real `opml` command: each malformed model or input gives one line on stderr that
 * names the problem, and a non-zero exit (3 for bad input, 2 for bad usage).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { zooModel } from '../../models/zoo/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'opml-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opml(...args: string[]) {
  const r = spawnSync(process.execPath, [path.resolve('bin/opml.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr.trim(), stdout: r.stdout };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const calibration = file('calib.json', JSON.stringify([{ x: { dims: [1, 4], data: [0.1, 0.2, 0.3, 0.4] } }]));
const w = { name: 'w', dims: [4, 4], data: new Float32Array(16).fill(0.5) };

describe('opml run: malformed models and inputs fail with one line and a non-zero exit', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a truncated file', () => [file('truncated.onnx', readFileSync(zooModel('mnist-mlp').file).subarray(0, 1000)), '--input', 'mnist:0'], /^opml: .*ONNX/],
    ['not ONNX at all', () => [file('junk.onnx', 'this is not a model'), '--input', 'x.json'], /^opml: /],
    [
      'a cycle',
      () => [
        file('cycle.onnx', writeOnnx({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'b', dims: [1, 4] }], initializers: [w], nodes: [
          { op: 'MatMul', name: 'm1', inputs: ['x', 'b'], outputs: ['a'] },
          { op: 'Relu', name: 'r1', inputs: ['a'], outputs: ['b'] },
        ] })),
        '--input', 'x.json', '--calibration', calibration,
      ],
      /cycle/i,
    ],
    [
      'a missing initializer',
      () => [file('missing.onnx', writeOnnx({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y', dims: [1, 4] }], nodes: [{ op: 'MatMul', name: 'mm', inputs: ['x', 'nowhere'], outputs: ['y'] }] })), '--input', 'x.json', '--calibration', calibration],
      /node "mm" \(MatMul\).*"nowhere"/,
    ],
    [
      'an unsupported op',
      () => [file('unsupported.onnx', writeOnnx({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y', dims: [1, 4] }], nodes: [{ op: 'RandomUniformLike', name: 'c', inputs: ['x'], outputs: ['y'] }] })), '--input', 'x.json', '--calibration', calibration],
      /node "c" \(RandomUniformLike\)/,
    ],
    [
      'absurd dimensions',
      () => [file('absurd.onnx', writeOnnx({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y' }], initializers: [{ name: 'big', dims: [100000, 100000], data: new Float32Array(1) }], nodes: [{ op: 'Add', name: 'a', inputs: ['x', 'big'], outputs: ['y'] }] })), '--input', 'x.json', '--calibration', calibration],
      /^opml: /,
    ],
    ['an input of the wrong shape', () => ['mnist-mlp', '--input', file('short.json', JSON.stringify([1, 2, 3]))], /needs 784 values/],
    ['an input that is not JSON', () => ['mnist-mlp', '--input', file('bad.json', '{not json')], /not valid JSON/],
    ['an unknown model', () => ['no-such-model', '--input', 'mnist:0'], /no such file or zoo model/],
    ['an MNIST index out of range', () => ['mnist-mlp', '--input', 'mnist:10000'], /numbered 0\.\.9999/],
  ];
  for (const [label, args, message] of cases) {
    it(label, () => {
      const r = opml('run', ...args());
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace for bad input
    });
  }

  it('a usage error exits 2', () => {
    const r = opml('run', 'mnist-mlp');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '-i, --input <spec>'/);
  });
});

describe('opml inspect', () => {
  it('lists every node that cannot run, not only the first, and exits 3', () => {
    const model = file('two-unsupported.onnx', writeOnnx({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'z', dims: [1, 4] }], nodes: [
      { op: 'RandomUniformLike', name: 'c1', inputs: ['x'], outputs: ['y'] },
      { op: 'Relu', name: 'r', inputs: ['y'], outputs: ['y2'] },
      { op: 'TfIdfVectorizer', name: 's1', inputs: ['y2'], outputs: ['z'] },
    ] }));
    const r = spawnSync(process.execPath, [path.resolve('bin/opml.js'), 'inspect', model], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('unsupported: node "c1" (RandomUniformLike): no such op in opml');
    expect(r.stdout).toContain('unsupported: node "s1" (TfIdfVectorizer): no such op in opml');
    expect(r.stdout).not.toContain('"r"');
    expect(r.stderr).toMatch(/2 node\(s\) cannot run in opml/);
  });

  it('tabulates a zoo model: nodes, ops, VM step counts', () => {
    const r = opml('inspect', 'mnist-mlp', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).nodes as { op: string; steps: number }[];
    expect(rows.map((n) => n.op)).toEqual(['matmul', 'matmul']);
    expect(rows.every((n) => n.steps > 0)).toBe(true);
  });
});

describe('opml run: a good run', () => {
  it('classifies an MNIST test image and prints JSON with every node root and graph state', () => {
    const r = opml('run', 'mnist-mlp', '--input', 'mnist:0', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.argmax).toBe(7);
    expect(out.label).toBe(7);
    expect(out.states).toHaveLength(3);
    expect(out.finalState).toBe(out.states[2]);
    expect(out.nodes.map((n: { op: string }) => n.op)).toEqual(['matmul', 'matmul']);
  });
});
