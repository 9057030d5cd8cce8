/**
 * The option values every model-taking command shares (--calibration, --shape, --tile-steps, a repeatable
 * --input), parsed with nothing heavy imported: cli/program.ts loads this for `--help`.
 */
import { InvalidArgumentError } from 'commander';
import { printable } from '../errors.ts';
import { MAX_TILE_STEPS, MIN_TILE_STEPS } from '../../models/int/tiles/options.ts';

export const CALIBRATION_HELP = 'samples to quantize an .onnx outside the zoo with: a JSON file or x.npy (first axis: samples); name=x.npy, repeated, for several inputs (docs/INPUTS.md)';
export const TILE_STEPS_HELP = 'most VM steps of one tile: a matmul or embedding lookup longer than this, or too large for VM memory, is committed as tiles of at most this many steps (default 1048576 = 2^20; it changes the model id: every party must give the same; docs/VM.md "Tiled nodes")';
export const SHAPE_HELP = 'fix an input\'s symbolic dims: name=1,3,224,224 (repeatable; a one-input model may omit name=)';

/** Commander collector for repeatable options (--calibration a=a.npy --calibration b=b.npy). */
export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

export interface ShapeSpec {
  /** undefined: the model's one input. */
  name?: string;
  dims: number[];
}

/** `--shape [name=]d0,d1,...`: whole numbers ≥ 1, at most 8 of them. */
export function parseShapeSpec(v: string): ShapeSpec {
  const m = /^(?:(.+)=)?([^=]*)$/s.exec(v);
  if (!m || m[2].trim() === '') throw new InvalidArgumentError('expected [name=]d0,d1,... (e.g. image=1,3,224,224)');
  const items = m[2].split(',').map((s) => s.trim());
  if (items.length > 8) throw new InvalidArgumentError(`${items.length} dims; opml takes at most 8`);
  const dims = items.map((s) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN));
  const bad = dims.findIndex((d) => !Number.isSafeInteger(d) || d < 1 || d > 2 ** 31 - 1);
  if (bad >= 0) throw new InvalidArgumentError(`dim ${bad} ("${printable(items[bad], 20)}") is not a whole number of 1 or more`);
  if (m[1] !== undefined && m[1].trim() === '') throw new InvalidArgumentError('the input name before "=" is empty');
  return { name: m[1], dims };
}

/** Commander collector for --shape: each value checked as it is given (a bad one is a usage error, exit 2). */
export function collectShape(v: string, prev: string[] | undefined): string[] {
  parseShapeSpec(v);
  return collect(v, prev);
}

/** `--tile-steps <n>`: a whole number from 64 to 2^40. */
export function parseTileSteps(v: string): number {
  const n = /^\s*\d{1,13}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < MIN_TILE_STEPS || n > MAX_TILE_STEPS) throw new InvalidArgumentError(`expected a whole number of steps from ${MIN_TILE_STEPS} to 2^40 (${MAX_TILE_STEPS})`);
  return n;
}

export const GENERATE_HELP = 'commit a greedy generation instead of one forward pass: the prompt (the input) and N tokens generated after it, the model\'s decode step unrolled over every position (1 to 32; a zoo text model with a decode graph: brown-llama; it changes the model id: every party must give the same; docs/GENERATION.md)';
export const PROMPT_LENGTH_HELP = 'with --generate: the prompt\'s length in tokens (default 8; a shorter text: prompt is padded with spaces before it)';

/** `--generate <n>`: 1 to 32 tokens. */
export function parseGenerate(v: string): number {
  const n = /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new InvalidArgumentError('expected a whole number of tokens from 1 to 32');
  return n;
}

/** `--prompt-length <p>`: 1 to 1024 tokens. */
export function parsePromptLength(v: string): number {
  const n = /^\s*\d{1,4}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError('expected a whole number of tokens from 1 to 1024');
  return n;
}
