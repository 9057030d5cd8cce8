/**
 * `opml watch`: a daemon that defends (submitter) or checks and challenges (challenger) on its own, resuming
 * from its state file after a crash or restart. `playUntilDone` is the shared loop: tick every actor, sleep
 * when nobody could move.
 */
import path from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import type { Backend } from '../../models/gpu/backend.ts';
import { Challenger, type ChallengerState } from '../game/challenger.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { Submitter, type SubmitterState } from '../game/submitter.ts';
import { Store } from '../game/store.ts';
import type { Actor } from '../game/actor.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { parseInput } from '../inputs.ts';
import { Output } from '../output.ts';
import { honestClaims } from './backendArg.ts';
import { connect, type ChainOptions } from './connect.ts';
import { prepareFromArgs } from './modelArg.ts';

export interface WatchOptions extends ChainOptions {
  role: string;
  backend?: Backend;
  model?: string[];
  state?: string;
  interval?: number;
  /** Stop once every actor is done (for scripts and tests) instead of running forever. */
  untilDone?: boolean;
  json?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tick every actor until all are done (or forever); sleep `intervalMs` when nobody could move. */
export async function playUntilDone(actors: Actor[], intervalMs = 1000, forever = false): Promise<void> {
  for (;;) {
    let acted = false;
    for (const a of actors) acted = (await a.tick()) || acted;
    if (!forever && (await Promise.all(actors.map((a) => a.done()))).every(Boolean)) return;
    if (!acted) await sleep(intervalMs);
  }
}

export async function watch(opts: WatchOptions, out = new Output(opts)): Promise<void> {
  const log = (l: string) => out.line(`${new Date().toISOString()} ${l}`);
  if (opts.role === 'submitter') {
    if (opts.state && !existsSync(opts.state)) throw new OpmlError(`watch: no state file ${opts.state}`, ExitCode.USAGE, 'pass the file `opml submit` printed');
    const files = opts.state ? [opts.state] : existsSync('.opml') ? readdirSync('.opml').filter((f) => f.startsWith('submitter-')).map((f) => path.join('.opml', f)) : [];
    if (files.length === 0) throw new OpmlError('watch: no submitter state files in .opml/', ExitCode.USAGE, 'submit first with `opml submit`, or pass --state <file>');
    const chain = await connect({ ...opts, account: opts.account ?? 0 });
    const actors: Submitter[] = [];
    for (const file of files) {
      const store = Store.open<SubmitterState>(file, { role: 'submitter', model: '', input: '' });
      const { model, input } = store.get();
      const prepared = prepareFromArgs(model);
      actors.push(new Submitter(chain, await honestClaims(opts.backend ?? 'auto', prepared.int, parseInput(input, prepared.int).words), store, { log }));
    }
    log(`defending ${actors.length} result(s)`);
    await playUntilDone(actors, opts.interval ?? 1000, !opts.untilDone);
    return;
  }
  if (opts.role === 'challenger') {
    const models = opts.model ?? [];
    if (models.length !== 1) throw new OpmlError('watch: a challenger watches exactly one --model', ExitCode.USAGE, 'e.g. opml watch --role challenger --model mnist-mlp');
    const chain = await connect({ ...opts, account: opts.account ?? 1 });
    const prepared = prepareFromArgs(models[0]);
    const modelId = modelCommitment(prepared.int).modelId;
    const file = opts.state ?? path.join('.opml', `challenger-${models[0]}.json`);
    const store = Store.open<ChallengerState>(file, { role: 'challenger', model: models[0], checked: {} });
    log(`watching results of ${models[0]} (state ${file})`);
    const actors = new Map<string, Challenger>();
    const otherModels = new Set<string>();
    for (;;) {
      const count = await chain.submissionCount();
      for (let id = 0n; id < count; id++) {
        const key = id.toString();
        if (actors.has(key) || otherModels.has(key)) continue;
        const s = await chain.submission(id);
        if (s.modelId.toLowerCase() !== modelId.toLowerCase()) {
          otherModels.add(key);
          continue;
        }
        const claims = await honestClaims(opts.backend ?? 'auto', prepared.int, await chain.submittedInputs(id));
        const c = new Challenger(chain, claims, store, { log }, 'challenger', id);
        actors.set(key, c);
        if (store.get().checked[key] === undefined) await c.consider(id);
      }
      let acted = false;
      for (const c of actors.values()) acted = (await c.tick()) || acted;
      if (opts.untilDone && (await Promise.all([...actors.values()].map((c) => c.done()))).every(Boolean) && actors.size > 0) return;
      if (!acted) await sleep(opts.interval ?? 1000);
    }
  }
  throw new OpmlError(`watch: unknown role "${opts.role}"`, ExitCode.USAGE, 'use --role submitter or --role challenger');
}

