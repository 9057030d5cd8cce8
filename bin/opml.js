#!/usr/bin/env node
// The `opml` command. Three ways in, fastest first:
// 1. `opml --version` (or -V) alone: answered from package.json, nothing else loaded.
// 2. dist/main.js, the esbuild bundle that `npm install` (the prepare script) and `npm run build` write
//    (scripts/build.mjs), when it is newer than every .ts under cli/, models/ and vm/.
// 3. Otherwise the TypeScript sources through tsx: no bundle yet, or sources edited since the build, so a
//    developer always runs the code they see (slower to start; `npm run build` makes it fast again).
// OPML_NO_BUNDLE=1 forces 3.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const bundle = path.join(root, 'dist', 'main.js');
  if (process.env.OPML_NO_BUNDLE !== '1' && fresh(bundle)) {
    await import(pathToFileURL(bundle).href);
  } else {
    if (existsSync(bundle) && process.stderr.isTTY && !argv.includes('--json') && process.env.OPML_NO_BUNDLE !== '1') {
      process.stderr.write('\x1b[2mopml: sources changed since the last build: running them through tsx (`npm run build` starts faster)\x1b[0m\n');
    }
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/main.ts');
  }
}

/** Whether the bundle exists and no .ts source is newer (a scan of ~150 files: a few ms). */
function fresh(bundle) {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  const newer = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() ? newer(p) : e.name.endsWith('.ts') && statSync(p).mtimeMs > built) return true;
    }
    return false;
  };
  return !['cli', 'models', 'vm'].some((d) => newer(path.join(root, d)));
}
