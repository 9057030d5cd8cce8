#!/usr/bin/env node
// Run the native `forge` with this script's arguments and exit with ITS exit code.
//
// `npx forge` / node_modules/.bin/forge is the npm wrapper @foundry-rs/forge, whose bin never passes the
// binary's exit code back: a failing `forge test` would exit 0 and `npm test` would pass. package.json calls
// this script instead. The binary is found as in cli/chain/foundry.ts (foundryBinary), repeated here because
// that module is TypeScript and this must run under plain node before anything is compiled.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const pkg = `@foundry-rs/forge-${process.platform}-${arch}`;
let bin;
try {
  bin = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', process.platform === 'win32' ? 'forge.exe' : 'forge');
} catch {
  console.error(`scripts/forge.mjs: the package ${pkg} is missing for this platform: run npm install`);
  process.exit(127);
}

const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit' });
// A signal sent to this process alone (not to the whole process group, as Ctrl-C is) still reaches forge.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('error', (e) => {
  console.error(`scripts/forge.mjs: cannot run ${bin}: ${e.message}`);
  process.exit(127);
});
// Killed by a signal: the shell convention 128 + signal number, never 0.
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
