/**
 * Clean errors, always: a seeded fuzz of the CLI's inputs. Byte flips and truncations of a small .opml, a small
 * .onnx and an input JSON file; JSON-valid mutations (wrong types, huge numbers, deep nesting, empty arrays,
 * missing and extra keys) of the .opml header (with its content hash recomputed, so only the header checks can
 * refuse it), the deployment file, the config file and the input file; .npy inputs and calibration sets (flips,
 * truncations, malformed headers); bad option values (--shape too); bad private keys.
 *
 * Every case must exit 0, 2, 3 or 4 (the class the case determines, where it does), never say "internal error"
 * or print a stack trace, begin stderr with one printable line, and finish. A corrupted model that is accepted
 * must give exactly the original output (an .opml: the same words and S_n; an .onnx: the same words whenever it
 * keeps the same model id: a flipped weight is a different model, and its id says so).
 *
 * The cases run in-process through runCli (cli/run.ts); a handful run as real `bin/opml.js` processes. Chain
 * cases point at a closed loopback port (exit 4).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECP256K1_N } from '../../cli/args.ts';
import { serializeIntGraph } from '../../models/int/serialize.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { quantize } from '../../models/quantize/quantize.ts';
import { writeNpy } from '../../models/inputs/npy.ts';
import { malformedNpy } from '../support/npy.ts';
import { expectClean, opmlIn, opmlProcess, type CliResult } from '../support/cli.ts';
import { Rng } from '../support/rng.ts';

// OPML_FUZZ_SEED=<n> explores other cases; CI runs the fixed seed.
const rng = new Rng(Number(process.env.OPML_FUZZ_SEED ?? 0x0f22_2026));
const dir = mkdtempSync(path.join(tmpdir(), 'opml-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, bytes);
  return p;
}

// A small model: x [1, 4] → Gemm(w [3, 4], b [3], transB) → Relu → y [1, 3].
const onnxBytes = writeOnnx({
  inputs: [{ name: 'x', dims: [1, 4] }],
  outputs: [{ name: 'y' }],
  initializers: [
    { name: 'w', dims: [3, 4], data: Float32Array.from([0.5, -0.25, 0.75, 0.1, -0.6, 0.3, 0.2, -0.9, 0.05, 0.4, -0.35, 0.8]) },
    { name: 'b', dims: [3], data: Float32Array.from([0.1, -0.2, 0.05]) },
  ],
  nodes: [
    { op: 'Gemm', name: 'fc', inputs: ['x', 'w', 'b'], outputs: ['h'], attrs: { transB: { int: 1 } } },
    { op: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] },
  ],
});
const samples = Array.from({ length: 4 }, (_, i) => ({ x: { dims: [1, 4], data: [0.1 * i, -0.2, 0.3, 0.4 - 0.1 * i] } }));
const calibration = file('calib.json', JSON.stringify(samples));
const onnx = file('tiny.onnx', onnxBytes);
const opmlBytes = serializeIntGraph(quantize(loadOnnx(onnxBytes), samples.map((s) => ({ x: { dims: s.x.dims, data: Float32Array.from(s.x.data) } }))));
const opml = file('tiny.opml', opmlBytes);
const inputDoc = { x: [0.25, -0.125, 0.3, 0.2] };
const inputText = JSON.stringify(inputDoc);
const input = file('input.json', inputText);

const CLOSED_RPC = 'http://127.0.0.1:9';
const deploymentDoc = {
  rpcUrl: CLOSED_RPC,
  chainId: 31337,
  judge: '0x00000000000000000000000000000000000000a1',
  game: '0x00000000000000000000000000000000000000b2',
  minBond: '100000000000000000',
  challengeBond: '100000000000000000',
  challengeWindow: 600,
  clockSeconds: 600,
  moveIncrement: 30,
  arity: 2,
  deployBlock: '0',
};
const deployment = file('deployment.json', JSON.stringify(deploymentDoc));
const configDoc = { rpcUrl: CLOSED_RPC, deployment };

/** The words a run commits to: what a corrupted-but-accepted model must reproduce exactly. */
interface Committed {
  modelId: string;
  finalState: string;
  outputWords: number[];
}
const committed = (r: CliResult): Committed => {
  const j = JSON.parse(r.stdout) as Committed;
  return { modelId: j.modelId, finalState: j.finalState, outputWords: j.outputWords };
};
let baseOpml: Committed;
let baseOnnx: Committed;

beforeAll(async () => {
  const a = await opmlIn(['run', opml, '--input', input, '--backend', 'cpu', '--json']);
  expect(a.code, a.stderr).toBe(0);
  baseOpml = committed(a);
  const b = await opmlIn(['run', onnx, '--calibration', calibration, '--input', input, '--backend', 'cpu', '--json']);
  expect(b.code, b.stderr).toBe(0);
  baseOnnx = committed(b);
  expect(baseOnnx).toEqual(baseOpml);
});

// ---- mutations ----

function flipped(bytes: Uint8Array): { bytes: Uint8Array; at: number; bit: number } {
  const out = Uint8Array.from(bytes);
  const at = rng.int(0, bytes.length - 1);
  const bit = rng.int(0, 7);
  out[at] ^= 1 << bit;
  return { bytes: out, at, bit };
}

const DEEP = '__DEEP__';
const HUGE = '__HUGE__';
const deepText = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
/** Values of every wrong type, and the extremes. */
const WRONG: unknown[] = ['abc', '', '\u001b[31mred\u001b[0m', -1, 0, 1.5, 2 ** 64, -(2 ** 64), 1e308, HUGE, null, true, false, [], {}, [1, 2], { a: 1 }, DEEP, '0x', `0x${'f'.repeat(64)}`];

/** Every path (array of keys) to a value inside `v`. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.slice(0, 6).forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

/** One JSON-valid mutation of `doc`: a value of the wrong type, a deleted or an extra key, an emptied array. */
function mutateJson(doc: unknown): { text: string; what: string } {
  const copy = structuredClone(doc);
  const all = paths(copy);
  const p = rng.pick(all);
  const kind = rng.int(0, 3);
  const what = (w: string) => `${w} at ${JSON.stringify(p)}`;
  let label: string;
  let root: unknown = copy;
  const parent = p.length === 0 ? undefined : (p.slice(0, -1).reduce((o: any, k) => o[k], copy) as any); // eslint-disable-line @typescript-eslint/no-explicit-any
  const key = p.at(-1);
  if (kind === 0 || parent === undefined) {
    const value = rng.pick(WRONG);
    if (parent === undefined) root = value;
    else parent[key!] = value;
    label = what(`set to ${JSON.stringify(value)}`);
  } else if (kind === 1) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key!];
    label = what('removed');
  } else if (kind === 2) {
    const target = typeof parent === 'object' && !Array.isArray(parent) ? parent : copy;
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[rng.pick(['extra', '__proto__x', 'constructor', '\u001b[2Jk'])] = rng.pick(WRONG);
    label = what('extra key');
  } else {
    parent[key!] = Array.isArray(parent[key!]) ? [] : rng.pick([[], '', 0]);
    label = what('emptied');
  }
  const text = JSON.stringify(root).replaceAll(`"${DEEP}"`, deepText).replaceAll(`"${HUGE}"`, '1e999');
  return { text, what: label };
}

/** An .opml file with this header text and the original weights, and a correct content hash. */
function opmlWithHeader(headerText: string): Uint8Array {
  const magic = 8;
  const oldLen = new DataView(opmlBytes.buffer, opmlBytes.byteOffset).getUint32(magic, true);
  const weights = opmlBytes.subarray(magic + 4 + oldLen, opmlBytes.length - 32);
  const header = new TextEncoder().encode(headerText);
  const body = new Uint8Array(magic + 4 + header.length + weights.length);
  body.set(opmlBytes.subarray(0, magic), 0);
  new DataView(body.buffer).setUint32(magic, header.length, true);
  body.set(header, magic + 4);
  body.set(weights, magic + 4 + header.length);
  const out = new Uint8Array(body.length + 32);
  out.set(body, 0);
  out.set(keccak256(body, 'bytes'), body.length);
  return out;
}
const opmlHeader = JSON.parse(new TextDecoder().decode(opmlBytes.subarray(12, 12 + new DataView(opmlBytes.buffer, opmlBytes.byteOffset).getUint32(8, true))));

// ---- the cases ----

interface Case {
  label: string;
  args: () => string[];
  env?: Record<string, string | undefined>;
  expected?: number | readonly number[];
  /** extra checks on an accepted (exit 0) run */
  accepted?: (r: CliResult) => void;
}
const cases: Case[] = [];
const runOpml = (model: string) => ['run', model, '--input', input, '--backend', 'cpu', '--json'];
const runOnnx = (model: string, calib = calibration) => ['run', model, '--calibration', calib, '--input', input, '--backend', 'cpu', '--json'];

for (let i = 0; i < 60; i++) {
  const f = flipped(opmlBytes);
  const p = file('flip.opml', f.bytes);
  cases.push({ label: `.opml byte ${f.at} bit ${f.bit} flipped`, args: () => runOpml(p), expected: [0, 3], accepted: (r) => expect(committed(r)).toEqual(baseOpml) });
}
for (const len of [0, 1, 7, 8, 11, 12, 40, ...Array.from({ length: 10 }, () => rng.int(13, opmlBytes.length - 1)), opmlBytes.length - 32, opmlBytes.length - 1]) {
  const p = file('cut.opml', opmlBytes.subarray(0, len));
  cases.push({ label: `.opml truncated to ${len} of ${opmlBytes.length} bytes`, args: () => runOpml(p), expected: 3 });
}
for (let i = 0; i < 60; i++) {
  const f = flipped(onnxBytes);
  const p = file('flip.onnx', f.bytes);
  cases.push({
    label: `.onnx byte ${f.at} bit ${f.bit} flipped`,
    args: () => runOnnx(p),
    expected: [0, 3],
    accepted: (r) => {
      const c = committed(r);
      if (c.modelId === baseOnnx.modelId) expect(c).toEqual(baseOnnx);
    },
  });
}
for (const len of [0, 1, 2, 10, ...Array.from({ length: 10 }, () => rng.int(11, onnxBytes.length - 1)), onnxBytes.length - 1]) {
  const p = file('cut.onnx', onnxBytes.subarray(0, len));
  cases.push({ label: `.onnx truncated to ${len} of ${onnxBytes.length} bytes`, args: () => runOnnx(p), expected: [0, 3], accepted: (r) => expect(committed(r).modelId === baseOnnx.modelId ? committed(r) : baseOnnx).toEqual(baseOnnx) });
}
const inputBytes = new TextEncoder().encode(inputText);
for (let i = 0; i < 30; i++) {
  const f = flipped(inputBytes);
  const p = file('flip-input.json', f.bytes);
  cases.push({ label: `input JSON byte ${f.at} bit ${f.bit} flipped`, args: () => ['run', opml, '--input', p, '--backend', 'cpu', '--json'], expected: [0, 3] });
}
for (const len of [0, 1, 5, 10, inputBytes.length - 1]) {
  const p = file('cut-input.json', inputBytes.subarray(0, len));
  cases.push({ label: `input JSON truncated to ${len} bytes`, args: () => ['run', opml, '--input', p, '--backend', 'cpu'], expected: 3 });
}
const calibBytes = new TextEncoder().encode(JSON.stringify(samples));
for (let i = 0; i < 10; i++) {
  const f = flipped(calibBytes);
  const p = file('flip-calib.json', f.bytes);
  cases.push({ label: `calibration JSON byte ${f.at} bit ${f.bit} flipped`, args: () => runOnnx(onnx, p), expected: [0, 3] });
}
for (let i = 0; i < 50; i++) {
  const m = mutateJson(opmlHeader);
  const p = file('header.opml', opmlWithHeader(m.text));
  cases.push({ label: `.opml header ${m.what} (hash recomputed)`, args: () => runOpml(p), expected: [0, 3] });
}
for (let i = 0; i < 40; i++) {
  const m = mutateJson(inputDoc);
  const p = file('input.json', m.text);
  cases.push({ label: `input JSON ${m.what}`, args: () => ['run', opml, '--input', p, '--backend', 'cpu', '--json'], expected: [0, 3] });
}
for (let i = 0; i < 10; i++) {
  const m = mutateJson(samples);
  const p = file('calib.json', m.text);
  cases.push({ label: `calibration JSON ${m.what}`, args: () => runOnnx(onnx, p), expected: [0, 3] });
}
for (let i = 0; i < 25; i++) {
  const m = mutateJson(deploymentDoc);
  const p = file('deployment.json', m.text);
  // A file still well formed reaches the (closed) RPC: exit 4; a bad field: exit 3.
  cases.push({ label: `deployment file ${m.what}`, args: () => ['status', '0', '--deployment', p], expected: [3, 4] });
}
for (let i = 0; i < 12; i++) {
  const m = mutateJson(configDoc);
  const p = file('config.json', m.text);
  cases.push({ label: `config file ${m.what}`, args: () => ['status', '0', '--config', p], expected: [2, 3, 4] });
}

// Bad option values: usage errors (exit 2) before anything is read or sent.
const chainArgs = ['--deployment', deployment];
const bad2: [string, string[]][] = [];
for (const bond of ['abc', '-1', '1e999', '1e3', '0x10', '1.0000000000000000001', '', ' ', '1,5', 'NaN', 'Infinity', `${'9'.repeat(80)}`]) bad2.push([`submit --bond ${JSON.stringify(bond)}`, ['submit', opml, '--input', input, '--bond', bond, ...chainArgs]]);
for (const b of ['abc', '-5']) {
  bad2.push([`deploy --min-bond ${b}`, ['deploy', '--rpc-url', CLOSED_RPC, '--min-bond', b]]);
  bad2.push([`deploy --challenge-bond ${b}`, ['deploy', '--rpc-url', CLOSED_RPC, '--challenge-bond', b]]);
}
for (const id of [(1n << 256n).toString(), `0x1${'0'.repeat(64)}`, '-1', '1.5', 'abc', '1e3', '']) {
  bad2.push([`status ${JSON.stringify(id)}`, ['status', id, ...chainArgs]]);
  bad2.push([`challenge ${JSON.stringify(id)}`, ['challenge', id, '--model', opml, ...chainArgs]]);
}
for (const v of ['-1', '0', '1.5', 'abc', '1e999', '9007199254740993']) {
  bad2.push([`submit --interval ${v}`, ['submit', opml, '--input', input, '--interval', v, ...chainArgs]]);
  bad2.push([`watch --metrics-port ${v}`, ['watch', '--role', 'challenger', '--model', opml, '--metrics-port', v, ...chainArgs]]);
}
for (const v of ['-1', '2.5', 'x']) bad2.push([`replay --block-time ${v}`, ['replay', '--block-time', v]]);
for (const v of ['0', '-3', 'ten']) bad2.push([`eval --limit ${v}`, ['eval', '--limit', v]]);
for (const v of ['0x123', 'zz', `0x${'g'.repeat(40)}`]) bad2.push([`--game-address ${v}`, ['status', '0', '--rpc-url', CLOSED_RPC, '--game-address', v]]);
bad2.push(['--backend warp', ['run', opml, '--input', input, '--backend', 'warp']]);
bad2.push(['unknown option', ['run', opml, '--input', input, '--frobnicate']]);
bad2.push(['unknown command', ['frobnicate']]);
bad2.push(['missing --input', ['run', opml]]);
for (const [label, args] of bad2) cases.push({ label, args: () => args, expected: 2 });

// Private keys from the environment: checked before any transaction (the deployment file names the chain).
for (const [label, key] of [
  ['zero', `0x${'0'.repeat(64)}`],
  ['the group order n', `0x${SECP256K1_N.toString(16)}`],
  ['n + 1', `0x${(SECP256K1_N + 1n).toString(16)}`],
  ['all ones', `0x${'f'.repeat(64)}`],
  ['short', '0x1234'],
  ['no 0x', '1'.repeat(64)],
  ['not hex', `0x${'z'.repeat(64)}`],
  ['65 digits', `0x${'1'.repeat(65)}`],
] as const) {
  cases.push({ label: `OPML_PRIVATE_KEY ${label}`, args: () => ['submit', opml, '--input', input, ...chainArgs], env: { OPML_PRIVATE_KEY: key }, expected: 2 });
  cases.push({ label: `OPML_SUBMITTER_KEY ${label}`, args: () => ['submit', opml, '--input', input, ...chainArgs], env: { OPML_SUBMITTER_KEY: key }, expected: 2 });
}

// Paths: directories where files belong, missing files.
const aDir = path.join(dir, 'a-directory');
mkdirSync(aDir);
const missing = path.join(dir, 'no-such-file.json');
for (const p of [aDir, missing]) {
  const what = p === aDir ? 'a directory' : 'a missing file';
  cases.push({ label: `run: the model is ${what}`, args: () => ['run', p, '--input', input], expected: 3 });
  cases.push({ label: `run: the input is ${what}`, args: () => ['run', opml, '--input', p], expected: 3 });
  cases.push({ label: `run: the calibration is ${what}`, args: () => runOnnx(onnx, p), expected: 3 });
  cases.push({ label: `inspect: the model is ${what}`, args: () => ['inspect', p], expected: 3 });
  cases.push({ label: `quantize: the model is ${what}`, args: () => ['quantize', p, '-o', path.join(dir, 'out.opml')], expected: 3 });
  cases.push({ label: `verify-model: the model is ${what}`, args: () => ['verify-model', p, '--deployment', missing], expected: 3 });
  cases.push({ label: `submit: the model is ${what}`, args: () => ['submit', p, '--input', input, ...chainArgs], expected: 3 });
  cases.push({ label: `challenge: the model is ${what}`, args: () => ['challenge', '0', '--model', p, ...chainArgs], expected: 3 });
}
cases.push({ label: 'quantize: the output is a directory', args: () => ['quantize', opml, '-o', aDir], expected: 3 });
cases.push({ label: 'quantize: the output is in a missing directory', args: () => ['quantize', opml, '-o', path.join(missing, 'x.opml')], expected: 3 });
cases.push({ label: 'status: the deployment file is a directory', args: () => ['status', '0', '--deployment', aDir], expected: 3 });
cases.push({ label: 'status: the deployment file is missing', args: () => ['status', '0', '--deployment', missing], expected: 4 });
cases.push({ label: 'status: the config file is missing', args: () => ['status', '0', '--config', missing], expected: 2 });
cases.push({ label: 'status: the config file is a directory', args: () => ['status', '0', '--config', aDir], expected: 2 });
cases.push({ label: 'submit: the keystore is a directory', args: () => ['submit', opml, '--input', input, ...chainArgs, '--keystore', aDir], expected: 2 });
cases.push({ label: 'status: the RPC is a closed port', args: () => ['status', '0', ...chainArgs], expected: 4 });

// The .npy input form (docs/INPUTS.md): byte flips and truncations of a good file, the malformed files of
// test/support/npy.ts, the same as a calibration set; and bad --shape values (usage errors, exit 2).
const npyBytes = writeNpy([1, 4], [0.25, -0.125, 0.3, 0.2]);
const npyInput = file('input.npy', npyBytes);
cases.push({ label: 'a good .npy input gives what the JSON input gives', args: () => ['run', opml, '--input', npyInput, '--backend', 'cpu', '--json'], expected: 0, accepted: (r) => expect(committed(r).finalState).toBe(baseOpml.finalState) });
for (let i = 0; i < 30; i++) {
  const f = flipped(npyBytes);
  const p = file('flip-input.npy', f.bytes);
  cases.push({ label: `.npy input byte ${f.at} bit ${f.bit} flipped`, args: () => ['run', opml, '--input', p, '--backend', 'cpu', '--json'], expected: [0, 3] });
}
for (const len of [0, 5, 9, 10, 40, ...Array.from({ length: 6 }, () => rng.int(11, npyBytes.length - 1))]) {
  const p = file('cut-input.npy', npyBytes.subarray(0, len));
  cases.push({ label: `.npy input truncated to ${len} of ${npyBytes.length} bytes`, args: () => ['run', opml, '--input', p, '--backend', 'cpu'], expected: 3 });
}
for (const [what, bytes] of malformedNpy()) {
  const p = file('bad.npy', bytes);
  cases.push({ label: `.npy input: ${what}`, args: () => ['run', opml, '--input', p, '--backend', 'cpu'], expected: 3 });
  cases.push({ label: `.npy calibration: ${what}`, args: () => runOnnx(onnx, p), expected: 3 });
}
const npyCalib = writeNpy([4, 1, 4], samples.flatMap((s) => s.x.data));
for (let i = 0; i < 10; i++) {
  const f = flipped(npyCalib);
  const p = file('flip-calib.npy', f.bytes);
  cases.push({ label: `.npy calibration byte ${f.at} bit ${f.bit} flipped`, args: () => runOnnx(onnx, p), expected: [0, 3] });
}
for (const v of ['', '=', 'x=', '=1,4', 'x=0,4', 'x=-1,4', 'x=1.5,4', 'x=1,,4', 'x=a,4', 'x=1,4,', `x=${'1,'.repeat(8)}1`, 'x=99999999999,4', 'x=1;4']) {
  cases.push({ label: `--shape ${JSON.stringify(v)}`, args: () => ['run', onnx, '--calibration', calibration, '--shape', v, '--input', input, '--backend', 'cpu'], expected: 2 });
}
for (const v of ['y=1,4', 'x=1,4,1', 'x=2,4', '1,4,1']) {
  cases.push({ label: `--shape ${v} does not fit the model`, args: () => ['quantize', onnx, '--calibration', calibration, '--shape', v, '-o', path.join(dir, 'shape.opml')], expected: 2 });
  cases.push({ label: `--shape ${v} against an .opml`, args: () => runOpml(opml).concat(['--shape', v]), expected: 2 });
}

describe(`opml fuzz (${cases.length} cases in-process): clean errors, documented exit codes, no silent corruption`, () => {
  for (const c of cases) {
    it(c.label, async () => {
      const r = await opmlIn(c.args(), c.env, 60_000);
      expectClean(r, c.label, c.expected);
      if (r.code === 0) c.accepted?.(r);
    });
  }
});

describe('the same, as real processes of bin/opml.js', () => {
  const flip = file('proc-flip.opml', flipped(opmlBytes).bytes);
  const proc: [string, string[], Record<string, string>, number][] = [
    ['a flipped .opml', runOpml(flip), {}, 3],
    ['a directory as the model', ['run', aDir, '--input', input], {}, 3],
    ['an input nested 20,000 deep', ['run', opml, '--input', file('deep.json', `{"x":${deepText}}`)], {}, 3],
    ['--bond abc', ['submit', opml, '--input', input, '--bond', 'abc', ...chainArgs], {}, 2],
    ['an id of 2^256', ['status', (1n << 256n).toString(), ...chainArgs], {}, 2],
    ['a zero private key', ['submit', opml, '--input', input, ...chainArgs], { OPML_PRIVATE_KEY: `0x${'0'.repeat(64)}` }, 2],
    ['a deployment file with a field of the wrong type', ['status', '0', '--deployment', file('dep.json', JSON.stringify({ ...deploymentDoc, chainId: 'one' }))], {}, 3],
  ];
  for (const [label, args, env, code] of proc) {
    it(label, () => {
      const r = opmlProcess(args, env, 60_000);
      expectClean(r, label, code);
    });
  }
});
