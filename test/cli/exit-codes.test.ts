/**
 * One fault, one exit code, on every command: a table of fault classes × the commands that meet them, each
 * answered with the documented code (2 usage, 3 input, 4 chain) and a `fix:` line (--shape and .npy files too). Then the checks behind the
 * input classes: text from files is escaped, non-finite weights and out-of-vocabulary tokens are refused by
 * name, saturating inputs are warned about once per input.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printable } from '../../cli/errors.ts';
import { classify } from '../../cli/run.ts';
import { serializeIntGraph } from '../../models/int/serialize.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterModel } from '../../models/onnx/writer.ts';
import { quantize } from '../../models/quantize/quantize.ts';
import { ZOO } from '../../models/zoo/index.ts';
import { expectClean, opmlIn } from '../support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'opml-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, bytes: Uint8Array | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const model = (w: Float32Array, nodeName = 'fc'): WriterModel => ({
  inputs: [{ name: 'x', dims: [1, 4] }],
  outputs: [{ name: 'y' }],
  initializers: [{ name: 'w', dims: [3, 4], data: w }],
  nodes: [
    { op: 'Gemm', name: nodeName, inputs: ['x', 'w'], outputs: ['h'], attrs: { transB: { int: 1 } } },
    { op: 'Relu', name: 'act', inputs: ['h'], outputs: ['y'] },
  ],
});
const weights = Float32Array.from({ length: 12 }, (_, i) => (i % 5) / 5 - 0.4);
const samples = [{ x: { dims: [1, 4], data: [0.1, 0.2, -0.3, 0.4] } }, { x: { dims: [1, 4], data: [-0.4, 0.1, 0.3, -0.2] } }];
const calibration = file('calib.json', JSON.stringify(samples));
const onnxBytes = writeOnnx(model(weights));
const onnx = file('tiny.onnx', onnxBytes);
const badNpy = file('bad.npy', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 4, 0, 0x7b, 0x7d, 0x20, 0x0a]));
const opmlBytes = serializeIntGraph(quantize(loadOnnx(onnxBytes), samples.map((s) => ({ x: { dims: s.x.dims, data: Float32Array.from(s.x.data) } }))));
const opml = file('tiny.opml', opmlBytes);
const input = file('input.json', JSON.stringify({ x: [0.1, 0.2, 0.3, -0.1] }));
const damaged = file('damaged.opml', Uint8Array.from(opmlBytes, (b, i) => (i === opmlBytes.length - 40 ? b ^ 4 : b)));
const aDir = path.join(dir, 'dir');
mkdirSync(aDir);
const missing = path.join(dir, 'missing.opml');

const CLOSED_RPC = 'http://127.0.0.1:9';
const deploymentDoc = {
  rpcUrl: CLOSED_RPC, chainId: 31337, judge: `0x${'a1'.padStart(40, '0')}`, game: `0x${'b2'.padStart(40, '0')}`, minBond: '1', challengeBond: '1',
  challengeWindow: 600, clockSeconds: 600, moveIncrement: 30, arity: 2, deployBlock: '0',
};
const deployment = file('deployment.json', JSON.stringify(deploymentDoc));
const badDeployment = file('bad-deployment.json', JSON.stringify({ ...deploymentDoc, game: 42 }));
const badConfig = file('bad-config.json', JSON.stringify({ rpcUrl: 7 }));
const dep = ['--deployment', deployment];

/** The commands that read a model, with that model. */
const modelCommands = (m: string): [string, string[]][] => [
  ['run', ['run', m, '--input', input, '--backend', 'cpu']],
  ['inspect', ['inspect', m]],
  ['quantize', ['quantize', m, '-o', path.join(dir, 'out.opml')]],
  ['verify-model', ['verify-model', m, '--deployment', path.join(dir, 'none.json')]],
  ['register', ['register', m, ...dep]],
  ['submit', ['submit', m, '--input', input, ...dep]],
  ['challenge', ['challenge', '0', '--model', m, ...dep]],
];
/** The commands that talk to the chain through a deployment file. */
const chainCommands = (d: string[]): [string, string[]][] => [
  ['status', ['status', '0', ...d]],
  ['register', ['register', opml, ...d]],
  ['submit', ['submit', opml, '--input', input, ...d]],
  ['challenge', ['challenge', '0', '--model', opml, ...d]],
  ['watch', ['watch', '--role', 'challenger', '--model', opml, '--until-done', ...d]],
];

interface Fault {
  fault: string;
  code: number;
  fix: RegExp;
  commands: [string, string[]][];
  env?: Record<string, string>;
}

const FAULTS: Fault[] = [
  { fault: 'the model file does not exist', code: 3, fix: /zoo name|\.onnx|\.opml/, commands: modelCommands(missing) },
  { fault: 'the model is a directory', code: 3, fix: /zoo name|\.onnx|\.opml/, commands: modelCommands(aDir) },
  { fault: 'the .opml file is damaged (one bit flipped)', code: 3, fix: /opml quantize/, commands: modelCommands(damaged) },
  {
    fault: 'an input value is not a finite number',
    code: 3,
    fix: /mnist:<index>/,
    commands: [
      ['run', ['run', opml, '--input', file('nan-input.json', '{"x": [1, 2, 3, "NaN"]}')]],
      ['submit', ['submit', opml, '--input', file('nan-input2.json', '{"x": [1, 2, 3, null]}'), ...dep]],
    ],
  },
  {
    fault: 'a bond that is not an amount of ETH',
    code: 2,
    fix: /--help/,
    commands: [
      ['submit', ['submit', opml, '--input', input, '--bond', 'abc', ...dep]],
      ['deploy', ['deploy', '--rpc-url', CLOSED_RPC, '--min-bond', '-1']],
      ['devnet', ['devnet', '--challenge-bond', '1e999']],
    ],
  },
  {
    fault: 'a submission id of 2^256 or more',
    code: 2,
    fix: /--help/,
    commands: [
      ['status', ['status', (1n << 256n).toString(), ...dep]],
      ['challenge', ['challenge', `0x1${'0'.repeat(64)}`, '--model', opml, ...dep]],
    ],
  },
  {
    fault: 'a count that is not a whole number',
    code: 2,
    fix: /--help/,
    commands: [
      ['submit', ['submit', opml, '--input', input, '--interval', '1.5', ...dep]],
      ['watch', ['watch', '--role', 'challenger', '--interval', '-1', ...dep]],
      ['replay', ['replay', '--block-time', 'x']],
      ['eval', ['eval', '--limit', '0']],
      ['deploy', ['deploy', '--rpc-url', CLOSED_RPC, '--window', '1e999']],
    ],
  },
  {
    fault: 'a private key of zero',
    code: 2,
    fix: /64 hex digits/,
    env: { OPML_PRIVATE_KEY: `0x${'0'.repeat(64)}` },
    commands: [
      ['register', ['register', opml, ...dep]],
      ['submit', ['submit', opml, '--input', input, ...dep]],
      ['challenge', ['challenge', '0', '--model', opml, ...dep]],
      ['deploy', ['deploy', '--rpc-url', CLOSED_RPC]],
    ],
  },
  {
    fault: 'a --shape that does not fit the model (axis 1 is fixed to 4)',
    code: 2,
    fix: /--shape x=1,4/,
    commands: [
      ...modelCommands(onnx).map(([c, a]): [string, string[]] => [c, [...a, '--calibration', calibration, '--shape', 'x=1,5']]),
      ['watch', ['watch', '--role', 'challenger', '--model', onnx, '--calibration', calibration, '--shape', 'x=1,5', '--until-done', ...dep]],
      ['report', ['report', '0', '--model', onnx, '--calibration', calibration, '--shape', 'x=1,5', ...dep]],
      ['replay', ['replay', 'wrong-last-node', onnx, '--calibration', calibration, '--shape', 'x=1,5']],
      ['demo', ['demo', '--model', onnx, '--calibration', calibration, '--shape', 'x=1,5']],
      ['eval', ['eval', onnx, '--calibration', calibration, '--shape', 'x=1,5', '--dataset', calibration]],
    ],
  },
  {
    fault: 'a --shape value that is not dims',
    code: 2,
    fix: /--help/,
    commands: modelCommands(onnx).map(([c, a]): [string, string[]] => [c, [...a, '--calibration', calibration, '--shape', 'x=1,four']]),
  },
  {
    fault: 'a malformed .npy calibration (its header is not the dict numpy writes)',
    code: 3,
    fix: /numpy\.save/,
    commands: [
      ...modelCommands(onnx).map(([c, a]): [string, string[]] => [c, [...a, '--calibration', badNpy]]),
      ['replay', ['replay', 'wrong-last-node', onnx, '--calibration', badNpy]],
      ['eval', ['eval', onnx, '--calibration', calibration, '--dataset', badNpy]],
    ],
  },
  {
    fault: 'a malformed .npy input',
    code: 3,
    fix: /numpy\.save/,
    commands: [
      ['run', ['run', opml, '--input', badNpy]],
      ['submit', ['submit', opml, '--input', badNpy, ...dep]],
      ['replay', ['replay', 'wrong-last-node', opml, '--input', badNpy]],
      ['demo', ['demo', '--model', opml, '--input', badNpy]],
    ],
  },
  {
    fault: 'an .onnx outside the zoo without calibration',
    code: 3,
    fix: /--calibration/,
    commands: [
      ...modelCommands(onnx).filter(([c]) => c !== 'inspect'),
      ['replay', ['replay', 'wrong-last-node', onnx]],
      ['demo', ['demo', '--model', onnx]],
      ['eval', ['eval', onnx, '--dataset', calibration]],
    ],
  },
  { fault: 'the config file has a value of the wrong type', code: 2, fix: /./, commands: chainCommands(['--config', badConfig]) },
  { fault: 'the deployment file has a field of the wrong type', code: 3, fix: /deploy again/, commands: chainCommands(['--deployment', badDeployment]) },
  { fault: 'the deployment file is a directory', code: 3, fix: /deploy again/, commands: chainCommands(['--deployment', aDir]) },
  {
    fault: 'the RPC cannot be reached',
    code: 4,
    fix: /--rpc-url/,
    commands: [
      ...chainCommands(dep).filter(([c]) => c !== 'watch'), // watch retries RPC failures: it is a daemon
      ['deploy', ['deploy', '--rpc-url', CLOSED_RPC]],
    ],
  },
];

describe('one fault, one exit code, on every command', () => {
  for (const f of FAULTS) {
    describe(`${f.fault}: exit ${f.code}`, () => {
      for (const [name, args] of f.commands) {
        it(`opml ${name}`, async () => {
          const r = await opmlIn(args, f.env ?? {});
          expectClean(r, `${f.fault}: opml ${args.join(' ')}`, f.code);
          const fix = r.stderr.split('\n').find((l) => l.startsWith('  fix: '));
          expect(fix, r.stderr).toBeDefined();
          expect(fix!, r.stderr).toMatch(f.fix);
        });
      }
    });
  }
});

describe('text from files is escaped; bad numbers and tokens are refused by name', () => {
  it('a node name with ANSI escapes and a newline is printed as visible escapes', async () => {
    const evil = '\u001b[31mred\u001b[0m\nopml: all good';
    const m = file('evil.onnx', writeOnnx({ ...model(weights), nodes: [{ op: 'Cos', name: evil, inputs: ['x'], outputs: ['y'], domain: 'com.example' }] })); // a custom domain: never runnable
    const r = await opmlIn(['run', m, '--input', input, '--calibration', calibration]);
    expectClean(r, 'ANSI in a node name', 3);
    expect(r.stderr.split('\n')[0]).toContain('node "\\x1b[31mred\\x1b[0m\\nopml: all good" (Cos)');
  });

  it('a report line (opml inspect) shows a node name with escapes as visible text, never raw', async () => {
    const m = file('evil-ok.onnx', writeOnnx(model(weights, '\u001b]0;pwned\u0007fc\u202e')));
    const r = await opmlIn(['inspect', m, '--calibration', calibration]);
    expectClean(r, 'ANSI in a node name, inspect', 0);
    expect(r.stdout).toContain('\\x1b]0;pwned\\x07fc\\u202e');
    expect(r.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
  });

  it('printable(): control characters, bidi overrides and long values', () => {
    expect(printable('a\u0000b\u001b[2J\r\n\t\u007f\u0085\u202e')).toBe('a\\x00b\\x1b[2J\\r\\n\\t\\x7f\\u0085\\u202e');
    expect(printable('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
    expect(printable(new TextDecoder().decode(Uint8Array.of(0x66, 0xff, 0x6f)))).toBe('f\ufffdo');
    expect(printable('\ud800')).toBe('\\ud800');
  });

  it('a NaN or infinite weight is refused, naming the initializer and the node that reads it', async () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = Float32Array.from(weights);
      w[5] = bad;
      const m = file(`bad-${bad}.onnx`, writeOnnx(model(w)));
      for (const cmd of [['run', m, '--input', input], ['inspect', m], ['quantize', m, '-o', path.join(dir, 'nan.opml')]]) {
        const r = await opmlIn([...cmd, '--calibration', calibration]);
        expectClean(r, `weight ${bad}`, 3);
        expect(r.stderr.split('\n').slice(0, 2)).toEqual([
          `opml: initializer "w" (read by node "fc" (Gemm)): element 5 of 12 is ${bad}, not a finite number`,
          '  fix: fix the weights (a diverged training run or a damaged file?) and export again',
        ]);
      }
    }
  });

  it('tokens outside the vocabulary are refused with the valid range; good tokens run', async () => {
    const ids = (last: number | string) => `tokens:${[...Array(15).fill(1), last].join(',')}`;
    for (const [tok, why] of [[64, 'token 64 (position 15) is outside the vocabulary: valid ids are 0..63'], [-1, 'token -1 (position 15) is outside the vocabulary: valid ids are 0..63'], ['', 'item 15 ("") is not a whole number'], ['x', 'item 15 ("x") is not a whole number']] as const) {
      const r = await opmlIn(['run', 'tiny-transformer', '--input', ids(tok), '--backend', 'cpu']);
      expectClean(r, `token ${tok}`, 3);
      expect(r.stderr.split('\n')[0]).toContain(why);
    }
    const ok = await opmlIn(['run', 'tiny-transformer', '--input', ids(63), '--backend', 'cpu', '--json']);
    expectClean(ok, 'token 63', 0);
  });

  it('the help names every zoo model (the list is written out so that --help loads nothing)', async () => {
    const r = await opmlIn(['run', '--help']);
    expectClean(r, 'run --help', 0);
    const listed = /a zoo name \(([^)]*)\)/.exec(r.stdout.replace(/\s+/g, ' '))?.[1].split(', ') ?? [];
    expect(listed.sort()).toEqual(ZOO.map((z) => z.name).sort());
  });

  it('--generate: a greedy generation runs; bad combinations are refused in one line with the fix', async () => {
    for (const [args, code, why] of [
      [['--generate', '0'], 2, 'expected a whole number of tokens from 1 to 32'],
      [['--generate', '33'], 2, 'expected a whole number of tokens from 1 to 32'],
      [['--prompt-length', '4'], 2, '--prompt-length goes with --generate'],
      [['--generate', '30', '--prompt-length', '40'], 2, 'needs 69 positions, but the model\'s position tables hold 64'],
    ] as const) {
      const r = await opmlIn(['run', 'brown-llama', '--input', 'text:The', '--backend', 'cpu', ...args]);
      expectClean(r, args.join(' '), code);
      expect(r.stderr.split('\n')[0]).toContain(why);
    }
    const mlp = await opmlIn(['run', 'mnist-mlp', '--input', 'mnist:0', '--generate', '4']);
    expectClean(mlp, 'generate on mnist-mlp', 3);
    expect(mlp.stderr).toMatch(/--generate needs a zoo text model with a decode-step graph\n  fix: give brown-llama/);
    const ok = await opmlIn(['run', 'brown-llama', '--generate', '4', '--prompt-length', '6', '--input', 'text:The', '--backend', 'cpu', '--json']);
    expectClean(ok, 'generation', 0);
    const result = JSON.parse(ok.stdout) as { outputWords: number[]; generatedText: string };
    expect(result.outputWords).toHaveLength(4);
    expect(result.generatedText).toHaveLength(4);
  });

  it('text: inputs follow the zoo model\'s own characters (tiny-transformer: exactly 16; brown-llama: up to 32, padded)', async () => {
    for (const [model, text, why] of [
      ['tiny-transformer', 'short', 'prompt "short" has 5 characters, expected 16'],
      ['brown-llama', 'naïve', 'character "ï" is not printable ASCII'],
      ['brown-llama', 'x'.repeat(33), 'has 33 characters; give 1 to 32'],
    ] as const) {
      const r = await opmlIn(['run', model, '--input', `text:${text}`, '--backend', 'cpu']);
      expectClean(r, `${model} ${text}`, 3);
      expect(r.stderr.split('\n')[0]).toContain(why);
      expect(r.stderr).toContain('fix: text: takes');
    }
    const ok = await opmlIn(['run', 'brown-llama', '--input', 'text:The jury said', '--backend', 'cpu', '--json']);
    expectClean(ok, 'brown-llama text', 0);
    const result = JSON.parse(ok.stdout) as { input: string; nextText: string; outputWords: number[] };
    expect(result.input).toBe('text "The jury said"');
    expect(result.nextText).toHaveLength(32);
    expect(result.outputWords).toHaveLength(32 * 96);
  });

  it('an input beyond its fixed-point range runs with one warning naming the input', async () => {
    const r = await opmlIn(['run', opml, '--input', file('big.json', JSON.stringify({ x: [1e9, -1e9, 0.1, 1e308] })), '--backend', 'cpu', '--json']);
    expectClean(r, 'saturating input', 0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('opml: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^opml: warning: input "x": 3 of 4 values lie outside its fixed-point range \[-[\d.]+, [\d.]+\] and are clamped to it/);
  });

  it('errors that escape a command are classified, not reported as bugs', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file or directory, open \'/x/y\''), { code: 'ENOENT', syscall: 'open', errno: -2, path: '/x/y' });
    expect(classify(enoent)).toMatchObject({ exitCode: 3, message: '/x/y: no such file or directory' });
    expect(classify(Object.assign(new Error('EISDIR'), { code: 'EISDIR', syscall: 'read', errno: -21 }))).toMatchObject({ exitCode: 3 });
    expect(classify(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen', errno: -98, address: '127.0.0.1', port: 9464 }))).toMatchObject({ exitCode: 2 });
    let deep: unknown;
    try {
      const recurse = (n: number): number => recurse(n + 1) + 1; // what walking a file nested too deeply ends in
      recurse(0);
    } catch (e) {
      deep = e;
    }
    expect(classify(deep)).toMatchObject({ exitCode: 3, message: 'a file is nested too deeply to read' });
    expect(classify(new SyntaxError('Unexpected token \u001b in JSON'))).toMatchObject({ exitCode: 3, message: 'a file is not valid JSON: Unexpected token \\x1b in JSON' });
    expect(classify(new TypeError('x is undefined'))).toMatchObject({ exitCode: 1, internal: true });
  });
});
