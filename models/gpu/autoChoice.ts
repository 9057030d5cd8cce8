/**
 * `--backend auto`'s measured choice between a usable GPU adapter and the CPU executor, kept per adapter and
 * model class in a small JSON file so it is measured once, not on every command.
 *
 * - Model class: the graph's ops, attributes and tensor dims (`modelClassOf`): what decides the cost of a run.
 *   Two models with the same architecture and different weights share a class.
 * - Measurement: the GPU run (whose result the caller uses), a second GPU run timed (the first one builds the
 *   graph's pipelines and buffers), and the CPU executor timed twice (the faster one counts, as the JIT warms
 *   up). The GPU's commitments must equal the CPU's; if they do not, the CPU is chosen and the reason kept.
 * - File: `OPML_BACKEND_CHOICES` if set, else `$XDG_CACHE_HOME/opml/backend-choices.json`, else
 *   `~/.cache/opml/backend-choices.json`. An unreadable or malformed file counts as empty (it is rewritten on
 *   the next save); a file that cannot be written leaves the choice unsaved and the run unharmed.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { bytesToHex } from 'viem';
import { keccak256 } from '../../vm/keccak.ts';
import type { IntGraph } from '../int/graph.ts';

export interface BackendChoice {
  backend: 'cpu' | 'gpu';
  /** One run with commitments on each, in ms (the faster of the timed runs). */
  cpuMs: number;
  gpuMs: number;
  /** ISO time of the measurement. */
  measuredAt: string;
  /** Why, in words (e.g. the GPU's commitments differed from the CPU's). */
  reason: string;
}

interface ChoiceFile {
  version: 1;
  choices: Record<string, BackendChoice>;
}

export function choicesFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPML_BACKEND_CHOICES) return env.OPML_BACKEND_CHOICES;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache');
  return path.join(base, 'opml', 'backend-choices.json');
}

/** keccak of the graph's architecture: per node its op, attributes and tensor dims (weights' values excluded). */
export function modelClassOf(graph: IntGraph): string {
  const shape = {
    inputs: graph.inputs.map((t) => graph.tensors[t].dims),
    nodes: graph.nodes.map((n) => [n.op, n.attrs, n.inputs.map((t) => graph.tensors[t].dims), graph.tensors[n.output].dims]),
  };
  return bytesToHex(keccak256(new TextEncoder().encode(JSON.stringify(shape)))).slice(0, 18);
}

function keyOf(adapter: string, modelClass: string): string {
  return `${adapter} | ${modelClass}`;
}

function isChoice(v: unknown): v is BackendChoice {
  const c = v as BackendChoice;
  return typeof c === 'object' && c !== null && (c.backend === 'cpu' || c.backend === 'gpu') && Number.isFinite(c.cpuMs) && Number.isFinite(c.gpuMs) && typeof c.measuredAt === 'string' && typeof c.reason === 'string';
}

function readChoices(file: string): ChoiceFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ChoiceFile;
    if (parsed?.version !== 1 || typeof parsed.choices !== 'object' || parsed.choices === null) return { version: 1, choices: {} };
    const choices: Record<string, BackendChoice> = {};
    for (const [k, v] of Object.entries(parsed.choices)) if (isChoice(v)) choices[k] = v;
    return { version: 1, choices };
  } catch {
    return { version: 1, choices: {} };
  }
}

/** The saved choice for this adapter and model class, if any. */
export function savedChoice(file: string, adapter: string, modelClass: string): BackendChoice | undefined {
  return readChoices(file).choices[keyOf(adapter, modelClass)];
}

/** Saves the choice (write to a temporary file, then rename). Returns why it could not, or undefined. */
export function saveChoice(file: string, adapter: string, modelClass: string, choice: BackendChoice): string | undefined {
  try {
    const all = readChoices(file);
    all.choices[keyOf(adapter, modelClass)] = choice;
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(tmp, file);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The choice from two timings and whether the GPU agreed with the CPU. */
export function decide(cpuMs: number, gpuMs: number, agreed: boolean): BackendChoice {
  const measuredAt = new Date().toISOString();
  if (!agreed) return { backend: 'cpu', cpuMs, gpuMs, measuredAt, reason: 'the GPU’s commitments differed from the CPU executor’s' };
  const backend = gpuMs < cpuMs ? 'gpu' : 'cpu';
  return { backend, cpuMs, gpuMs, measuredAt, reason: backend === 'gpu' ? 'the GPU was faster' : 'the CPU executor was at least as fast' };
}

/** One line for people: `cpu 1.20 ms, gpu 3.41 ms`. */
export function timings(c: BackendChoice): string {
  return `cpu ${c.cpuMs.toFixed(2)} ms, gpu ${c.gpuMs.toFixed(2)} ms`;
}
