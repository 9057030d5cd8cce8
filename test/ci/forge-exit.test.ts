/**
 * `npm test` must fail when a forge test fails. The npm wrapper `@foundry-rs/forge` (what `npx forge` runs)
 * exits 0 whatever forge says, so package.json runs forge through a script that passes the native binary's
 * exit code back. This runs that same script — the one named in package.json's `test` — on a throwaway
 * Foundry project: with a deliberately failing test it must exit non-zero, with passing tests only zero.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEST_SCRIPT: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.test;
/** `node <script> test` as written in the `test` script: the forge step of `npm test`. */
const FORGE_STEP = /(?:^|&&\s*)node\s+(\S+)\s+test(?:\s|$)/.exec(TEST_SCRIPT);

function forge(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, FORGE_STEP![1]), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

const PASSING = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Test} from "forge-std/Test.sol";
contract PassingTest is Test {
    function test_passes() public pure { assertEq(uint256(1) + 1, 2); }
}
`;
const FAILING = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {Test} from "forge-std/Test.sol";
contract FailingTest is Test {
    function test_deliberatelyFails() public pure { assertEq(uint256(1) + 1, 3, "deliberate failure"); }
}
`;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opml-forge-exit-'));
  mkdirSync(path.join(dir, 'src'));
  mkdirSync(path.join(dir, 'test'));
  // The repository's foundry.toml settings that matter here, with its relative paths made absolute.
  const forgeStd = path.join(ROOT, 'node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std/');
  writeFileSync(
    path.join(dir, 'foundry.toml'),
    [
      '[profile.default]',
      'src = "src"',
      'test = "test"',
      'out = "out"',
      'cache_path = "cache"',
      `solc = ${JSON.stringify(path.join(ROOT, 'scripts/solc-shim.cjs'))}`,
      'offline = true',
      `remappings = [${JSON.stringify(`forge-std/=${forgeStd}`)}]`,
      `ignored_warnings_from = [${JSON.stringify(path.join(ROOT, 'node_modules'))}]`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'test', 'Passing.t.sol'), PASSING);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm test fails when a forge test fails', () => {
  it('package.json runs forge through the exit-code-preserving script, not the npm wrapper', () => {
    expect(FORGE_STEP, `no "node <script> test" step in the test script: ${TEST_SCRIPT}`).not.toBeNull();
    expect(TEST_SCRIPT).not.toMatch(/(^|&&\s*)(npx\s+)?forge\s/);
  });

  // One project, compiled once: first with a failing test beside the passing one, then with that file removed
  // (forge's cache keeps the passing test's artifacts, so the second run needs no new compile).
  it('a project with a failing forge test: non-zero exit; with passing tests only: zero', async () => {
    writeFileSync(path.join(dir, 'test', 'Failing.t.sol'), FAILING);
    const failing = await forge(['test', '--root', dir]);
    // Failed for the right reason: the deliberate assertion, not a compile error.
    expect(failing.output).toMatch(/\[FAIL[^\n]*test_deliberatelyFails/);
    expect(failing.output).toMatch(/\[PASS\][^\n]*test_passes/);
    expect(failing.signal).toBeNull();
    expect(failing.code, failing.output).not.toBe(0);

    rmSync(path.join(dir, 'test', 'Failing.t.sol'));
    const passing = await forge(['test', '--root', dir]);
    expect(passing.output).toMatch(/\[PASS\][^\n]*test_passes/);
    expect(passing.output).not.toMatch(/test_deliberatelyFails/);
    expect(passing.code, passing.output).toBe(0);
  }, 300_000);
});
