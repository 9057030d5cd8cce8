/** Parsing `--backend auto|gpu|cpu`, light enough for the command router (no WebGPU, no executors). */
import { InvalidArgumentError } from 'commander';
import { BACKENDS, type Backend } from '../../models/gpu/backendChoice.ts';

export function parseBackend(v: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${BACKENDS.join(', ')}`);
  return v as Backend;
}
