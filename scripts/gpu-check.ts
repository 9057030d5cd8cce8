/**
 * `npm run gpu-check [-- --out <file>] [-- --no-bench]`: everything a machine's GPU path needs checked, in one
 * command and one JSON file (default bench/results/gpu-check.json), the same on llvmpipe and on a real GPU:
 *
 *   1. the adapter openGpu picks (description, limits, optional features, WGSL language features), whether
 *      `dot4I8Packed` is offered and passes its self-check (models/gpu/packedDot.ts), and the quick numerics
 *      self-check (models/gpu/probe.ts verifyGpuNumerics);
 *   2. the GPU differential suite, `vitest run test/gpu` in a child process with CI=true (so a missing adapter
 *      fails instead of skipping): pass / fail counts and every failure's message;
 *   3. the GPU bench (bench/gpu.bench.ts, GPU_BENCH_QUICK=1) in a child process: its figures.
 *
 * Exit code 0 only when an adapter opened, its numerics self-check is clean, every test passed (and at least
 * one ran) and the bench completed (it also compares GPU roots with the CPU's). Progress goes to stdout.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGpu, PACKED_DOT_FEATURE } from '../models/gpu/device.ts';
import { checkPackedDot } from '../models/gpu/packedDot.ts';
import { verifyGpuNumerics } from '../models/gpu/probe.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n  usage: npm run gpu-check -- [--out <file.json>] [--no-bench]`);
    this.name = 'UsageError';
  }
}

function parseArgs(argv: string[]): { out: string; bench: boolean } {
  let out = path.join(ROOT, 'bench/results/gpu-check.json');
  let bench = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') {
      const v = argv[++i];
      if (!v) throw new UsageError('--out needs a file name');
      out = path.resolve(v);
    } else if (a.startsWith('--out=')) out = path.resolve(a.slice(6));
    else if (a === '--no-bench') bench = false;
    else throw new UsageError(`unknown argument ${a}`);
  }
  return { out, bench };
}

const log = (line: string) => console.log(`[gpu-check] ${line}`);
/** Dawn's limit warnings on every device creation: noise here. */
const NOISE = /^Warning: max\w+ artificially reduced/;

/** Run a command in ROOT, streaming its output (indented, noise dropped); resolves with its exit code. */
function runChild(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim() && !NOISE.test(line)) console.log(`    ${line}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', (e) => {
      console.log(`    ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numFailedTestSuites: number;
  success: boolean;
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

async function adapterReport() {
  log('opening the GPU adapter…');
  const opened = await openGpu();
  if (!opened.ok) {
    log(`no adapter: ${opened.reason}`);
    return { ok: false as const, report: { opened: false, reason: opened.reason, attempts: opened.attempts } };
  }
  const gpu = opened.gpu;
  try {
    log(`adapter: ${gpu.describe()}`);
    const dot = await checkPackedDot(gpu);
    log(`${PACKED_DOT_FEATURE}: ${gpu.packedDot ? 'offered' : 'not offered'}; dot4I8Packed self-check: ${dot.ok ? `passed (${dot.pairs} pairs)` : `not used (${dot.reason})`}`);
    const mismatches = await verifyGpuNumerics(gpu);
    log(`numerics self-check: ${mismatches.length === 0 ? 'clean' : `${mismatches.length} mismatches`}`);
    return {
      ok: mismatches.length === 0,
      report: {
        opened: true,
        summary: gpu.describe(),
        ...gpu.adapter,
        limits: gpu.limits,
        features: gpu.capabilities.features,
        wgslLanguageFeatures: gpu.capabilities.wgslFeatures,
        packedDot: { languageFeature: gpu.packedDot, selfCheck: dot, used: dot.ok },
        numericsSelfCheck: { mismatches: mismatches.length, first: mismatches.slice(0, 5) },
      },
    };
  } finally {
    gpu.destroy();
  }
}

async function testReport(scratch: string) {
  log('running the GPU differential suite: vitest run test/gpu …');
  const json = path.join(scratch, 'vitest.json');
  const start = performance.now();
  const code = await runChild('npx', ['vitest', 'run', 'test/gpu', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], { CI: 'true' });
  const seconds = (performance.now() - start) / 1000;
  let r: VitestJson;
  try {
    r = JSON.parse(readFileSync(json, 'utf8')) as VitestJson;
  } catch {
    return { ok: false, report: { exitCode: code, seconds, error: 'vitest wrote no JSON report (see the output above)' } };
  }
  const failures: { test: string; file: string; messages: string[] }[] = [];
  for (const f of r.testResults) {
    const file = path.relative(ROOT, f.name);
    if (f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed')) failures.push({ test: '(file)', file, messages: [f.message] });
    for (const a of f.assertionResults) if (a.status === 'failed') failures.push({ test: a.fullName, file, messages: a.failureMessages.map((m) => m.slice(0, 4000)) });
  }
  const report = {
    exitCode: code,
    seconds: Number(seconds.toFixed(1)),
    total: r.numTotalTests,
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
    failedFiles: r.numFailedTestSuites,
    files: r.testResults.map((f) => ({ file: path.relative(ROOT, f.name), status: f.status, tests: f.assertionResults.length })),
    failures,
  };
  log(`tests: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped, ${failures.length} failures (${report.seconds} s)`);
  return { ok: code === 0 && r.success && report.failed === 0 && failures.length === 0 && report.passed > 0, report };
}

async function benchReport(scratch: string) {
  log('running the GPU bench (quick): tsx bench/gpu.bench.ts …');
  const json = path.join(scratch, 'gpu-bench.json');
  const start = performance.now();
  const code = await runChild('npx', ['tsx', 'bench/gpu.bench.ts'], { GPU_BENCH_QUICK: '1', GPU_BENCH_OUT: json });
  const seconds = Number(((performance.now() - start) / 1000).toFixed(1));
  try {
    const figures = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    log(`bench: done (${seconds} s)`);
    return { ok: code === 0, report: { exitCode: code, seconds, ...figures } };
  } catch {
    return { ok: false, report: { exitCode: code, seconds, error: 'the bench wrote no figures (see the output above)' } };
  }
}

const { out, bench } = parseArgs(process.argv.slice(2));
const started = new Date().toISOString();
const scratch = mkdtempSync(path.join(tmpdir(), 'opml-gpu-check-'));
try {
  const adapter = await adapterReport();
  const tests = await testReport(scratch);
  const figures = bench ? await benchReport(scratch) : { ok: true, report: { skipped: '--no-bench' } };
  const ok = adapter.ok && tests.ok && figures.ok;
  const result = {
    tool: 'npm run gpu-check',
    started,
    finished: new Date().toISOString(),
    ok,
    host: { cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg().map((v) => Number(v.toFixed(2))), node: process.version, platform: process.platform },
    adapter: adapter.report,
    tests: tests.report,
    bench: figures.report,
  };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), out) || out}`);
  log(ok ? 'OK: adapter, numerics, every GPU test and the bench passed' : `FAILED:${adapter.ok ? '' : ' adapter/numerics'}${tests.ok ? '' : ' tests'}${figures.ok ? '' : ' bench'}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
