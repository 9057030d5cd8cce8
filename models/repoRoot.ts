/**
 * The repository root: the nearest folder at or above this module that holds a package.json. The same answer
 * whether this code runs from its source (models/) or from the esbuild bundle (dist/, see scripts/build.mjs),
 * where a fixed number of `..` from `import.meta.url` would be wrong. Files read at run time (the zoo's .onnx,
 * contracts/out, package.json) are found from here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}

export const REPO_ROOT = findRoot();

/** An absolute path inside the repository. */
export const repoPath = (...parts: string[]): string => path.join(REPO_ROOT, ...parts);
