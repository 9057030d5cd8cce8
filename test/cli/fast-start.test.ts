/**
 * The fast start (scripts/build.mjs, bin/opml.js): `--version` loads nothing, a fresh bundle is used and a
 * stale one is not, the light commands load no viem / onnxruntime / WebGPU, and the bundle behaves as the
 * sources do. Module loading is observed with a module-loader hook that lists every URL loaded; nothing here
 * depends on how fast the machine is.
 *
 * Everything runs in a temporary copy of the package (bin, cli, models, vm, scripts/build.mjs, package.json,
 * node_modules linked), built there, so the repository's own dist/ is neither needed nor touched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAddress as viemIsAddress, parseEther as viemParseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAddress, parseEther } from '../../cli/ethLight.ts';
import { PROFILE_INFO } from '../../cli/game/profileInfo.ts';
import { PROFILES } from '../../cli/game/params.ts';
import { SCENARIOS } from '../../cli/game/scenarios.ts';

const REPO = path.resolve('.');
let dir: string;
let hooks: string;

function opml(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const log = path.join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(hooks).href, path.join(dir, 'bin', 'opml.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env, OPML_LOAD_LOG: log },
  });
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file:'))
    .map((u) => path.relative(dir, new URL(u).pathname).split(path.sep).join('/'));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

const pkgLoaded = (loaded: string[], name: string) => loaded.some((f) => f.includes(`node_modules/${name}/`));

function build(): void {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs'), '--no-contracts'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opml-fast-start-'));
  for (const d of ['bin', 'cli', 'models', 'vm']) cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
  mkdirSync(path.join(dir, 'scripts'));
  cpSync(path.join(REPO, 'scripts', 'build.mjs'), path.join(dir, 'scripts', 'build.mjs'));
  cpSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // The hook runs on the loader thread: it appends each URL loaded to the file OPML_LOAD_LOG names.
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  if (process.env.OPML_LOAD_LOG) appendFileSync(process.env.OPML_LOAD_LOG, `${url}\\n`);\n  return next(url, context);\n}\n",
  );
  hooks = path.join(dir, 'register.mjs');
  writeFileSync(hooks, "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n");
  build();
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fast start', () => {
  it('--version alone is answered by bin/opml.js without loading anything else', () => {
    const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = opml([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
      expect(r.loaded).toEqual(['bin/opml.js']);
    }
  });

  it('a fresh bundle runs: --help loads dist/ and commander, and no tsx, viem, onnxruntime, ONNX protobuf or WebGPU', () => {
    const r = opml(['--help']);
    expect(r.status).toBe(0);
    expect(r.loaded).toContain('dist/main.js');
    expect(r.loaded.filter((f) => f.endsWith('.ts'))).toEqual([]);
    for (const p of ['tsx', 'viem', 'onnxruntime-node', 'onnx-buf', '@bufbuild', 'webgpu']) expect(pkgLoaded(r.loaded, p), p).toBe(false);
    // viem is bundled (tree-shaken, scripts/build.mjs): none of its code may be in the chunks --help loads.
    for (const f of r.loaded.filter((x) => x.startsWith('dist/'))) expect(readFileSync(path.join(dir, f), 'utf8'), f).not.toContain('node_modules/viem/');
  });

  it('help text: the bundle prints what the sources print, with every profile and scenario', () => {
    for (const args of [['--help'], ['deploy', '--help'], ['devnet', '--help'], ['replay', '--help'], ['run', '--help'], ['watch', '--help']]) {
      const bundled = opml(args);
      const sources = opml(args, { OPML_NO_BUNDLE: '1' });
      expect(bundled.loaded).toContain('dist/main.js');
      expect(sources.loaded).not.toContain('dist/main.js');
      expect(sources.loaded).toContain('cli/main.ts');
      expect(bundled.stdout).toBe(sources.stdout);
    }
    const deploy = opml(['deploy', '--help']).stdout;
    for (const p of PROFILES) expect(deploy).toContain(`  ${p.name.padEnd(7)} ${p.description}`);
    const replay = opml(['replay', '--help']).stdout.replace(/\s+/g, ' ');
    for (const s of SCENARIOS) expect(replay).toContain(s.name);
  });

  it('the light profile list is the one params.ts deploys with', () => {
    expect(PROFILE_INFO.map((p) => ({ name: p.name, description: p.description }))).toEqual(PROFILES.map((p) => ({ name: p.name, description: p.description })));
  });

  it('the light parsers agree with viem on what cli/args.ts passes them', () => {
    for (const s of ['0', '1', '0.1', '.5', '2.000000000000000001', '123456789.123456789012345678', '00.10']) expect(parseEther(s), s).toBe(viemParseEther(s));
    for (const a of ['0x0000000000000000000000000000000000000000', '0xAbCdEf0123456789abcdef0123456789ABCDEF01', '0x123', '0xg000000000000000000000000000000000000000', '1234567890123456789012345678901234567890ab', '']) {
      expect(isAddress(a, { strict: false }), a).toBe(viemIsAddress(a, { strict: false }));
    }
  });

  it('`opml run` from the bundle gives what the sources give, quantizing once and then from dist/zoo-cache', () => {
    const args = ['run', 'mnist-mlp', '--input', 'mnist:3', '--backend', 'cpu', '--json'];
    const sources = opml(args, { OPML_NO_BUNDLE: '1' });
    expect(sources.status, sources.stderr).toBe(0);
    const strip = (s: string) => ({ ...(JSON.parse(s) as Record<string, unknown>), millis: undefined });
    const cache = path.join(dir, 'dist', 'zoo-cache');
    rmSync(cache, { recursive: true, force: true });
    for (const run of ['quantized, then cached', 'from the cache']) {
      const bundled = opml(args);
      expect(bundled.status, `${run}: ${bundled.stderr}`).toBe(0);
      expect(bundled.loaded).toContain('dist/main.js');
      for (const p of ['viem', 'onnxruntime-node', 'webgpu']) expect(pkgLoaded(bundled.loaded, p), `${run}: ${p}`).toBe(false);
      expect(strip(bundled.stdout), run).toEqual(strip(sources.stdout));
      expect(readdirSync(cache).filter((f) => /^mnist-mlp-[0-9a-f]{16}\.opml$/.test(f)), run).toHaveLength(1);
    }
  });

  it('a source newer than the bundle sends bin/opml.js back to the sources (tsx); a rebuild makes the bundle current again', () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(dir, 'vm', 'numerics.ts'), future, future);
    const stale = opml(['--help']);
    expect(stale.status).toBe(0);
    expect(stale.loaded).not.toContain('dist/main.js');
    expect(stale.loaded).toContain('cli/main.ts');
    expect(stale.stderr).toBe(''); // not a terminal: no note
    const now = new Date();
    utimesSync(path.join(dir, 'vm', 'numerics.ts'), now, now);
    build();
    expect(opml(['--help']).loaded).toContain('dist/main.js');
  });

  it('without a bundle bin/opml.js runs the sources', () => {
    rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    const r = opml(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: opml run');
    expect(r.loaded).toContain('cli/main.ts');
  });
});
