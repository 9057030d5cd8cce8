#!/usr/bin/env node
// The build step (`npm run build`, and `prepare`, so `npm install` runs it): what lets `opml` start fast.
//
// 1. Bundles cli/main.ts with esbuild into dist/ (ESM, node20, code splitting: every `await import()` of a
//    command module becomes its own chunk, loaded only when that command runs). bin/opml.js runs dist/main.js
//    while it is newer than every .ts under cli/, models/ and vm/, and falls back to tsx (the sources) when not.
//    models/int/commitWorker.ts is a second entry (dist/commitWorker.js), the commit worker thread's script.
//    Packages stay imports from node_modules, except viem (and what it imports): a tree-shaken copy of what the
//    CLI uses loads in tens of ms where `import 'viem'` loads hundreds of modules (~0.5-1 s), and even the light
//    commands need a little of it (address and amount parsing in cli/args.ts).
// 2. Compiles the contracts the CLI deploys (contracts/src only, not the tests: `forge test` compiles those),
//    with progress on stderr, so the first `opml demo` does not wait for solc.
//
// Plain Node ESM on purpose: it runs before anything is compiled. Flags: --no-contracts, --no-bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const log = (s) => process.stderr.write(`build: ${s}\n`);

async function bundle() {
  const t = performance.now();
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // A production install (--omit=dev) has no esbuild: bin/opml.js then runs the sources through tsx.
    log('esbuild is not installed (a production install?): skipping the bundle; `opml` runs the sources through tsx');
    return;
  }
  // Written to dist.next, then swapped in whole: an `opml` starting meanwhile sees the old bundle or the new.
  const dist = path.join(ROOT, 'dist');
  const outdir = path.join(ROOT, 'dist.next');
  const old = path.join(ROOT, 'dist.prev');
  rmSync(outdir, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
  // The bundle's time is when the build started: a source saved during the build makes it stale.
  const started = new Date();
  // Every package stays an import from node_modules, except viem and what it imports (bundled, tree-shaken;
  // see above). viem's own dependencies must come along: some are nested versions (viem/node_modules/@noble/
  // hashes 1.x) that a bare import from dist/ would resolve to the top-level 2.x instead. ws (CommonJS, optional
  // native parts) and isows stay imports; only viem's WebSocket transport reaches them.
  const builtin = new Set(builtinModules);
  const externalPackages = {
    name: 'external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        const name = a.path.startsWith('@') ? a.path.split('/').slice(0, 2).join('/') : a.path.split('/')[0];
        if (a.path.startsWith('node:') || builtin.has(name)) return { path: a.path, external: true };
        if (name === 'viem') return undefined;
        if (a.importer.includes(`${path.sep}node_modules${path.sep}`) && name !== 'ws' && name !== 'isows') return undefined;
        return { path: a.path, external: true };
      });
    },
  };
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    // commitWorker: the worker thread of models/int/overlappedRun.ts (commitHost.ts finds it at dist/commitWorker.js).
    entryPoints: { main: 'cli/main.ts', commitWorker: 'models/int/commitWorker.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    plugins: [externalPackages],
    // models/zoo/graphCache.ts: the bundle may cache quantized zoo graphs in dist/zoo-cache (the sources never do).
    define: { __OPML_BUNDLE__: 'true' },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  // bin/opml.js decides the bundle is stale by scanning these folders: every source must be in one.
  const outside = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/') && !/^(cli|models|vm)\//.test(f));
  if (outside.length > 0) throw new Error(`the bundle has sources outside cli/, models/ and vm/ that bin/opml.js does not watch: ${outside.join(', ')}`);
  const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
  utimesSync(path.join(outdir, 'main.js'), started, started);
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(outdir, dist);
  rmSync(old, { recursive: true, force: true });
  log(`bundled cli/main.ts into dist/ (${outputs.length} files) in ${Math.round(performance.now() - t)} ms`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function contracts() {
  // The same check and command as cli/chain/foundry.ts ensureContractsBuilt('DisputeGame').
  const src = path.join(ROOT, 'contracts', 'src');
  const probe = path.join(ROOT, 'contracts', 'out', 'DisputeGame.sol', 'DisputeGame.json');
  if (existsSync(probe) && statSync(probe).mtimeMs >= newestMtime(src)) {
    log('contracts: up to date');
    return;
  }
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/forge-${process.platform}-${arch}`;
  let forge;
  try {
    forge = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'forge.exe' : 'forge');
  } catch {
    log(`contracts: ${pkg} is not installed for this platform; the first chain command will compile them`);
    return;
  }
  const n = readdirSync(src).filter((f) => f.endsWith('.sol')).length;
  log(`compiling the ${n} contract sources of contracts/src with solc-js (~10 s on 2 cores; the tests compile with \`forge test\`) ...`);
  const t = performance.now();
  // forge's own progress ("Compiling 18 files with Solc ...", a spinner on a terminal) goes to stderr.
  const r = spawnSync(forge, ['build', '--skip', 'contracts/test/**'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    // Not fatal for an install: the first chain command tries again and reports forge's error.
    log(`contracts: forge build failed (exit ${r.status ?? r.signal}); the first chain command will try again`);
    process.exitCode = args.has('--strict') ? 1 : 0;
    return;
  }
  if (existsSync(probe)) utimesSync(probe, new Date(), new Date());
  log(`contracts compiled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

if (!args.has('--no-bundle')) await bundle();
if (!args.has('--no-contracts')) contracts();
