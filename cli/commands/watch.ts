/**
 * `opml watch`: a daemon that defends every result of its account (submitter) or checks every result of a
 * model and challenges the wrong ones (challenger), resuming from its state files after a crash or restart.
 * Each round it makes at most one move per dispute, all sent together, and waits for them as one block;
 * a failing submission or dispute is logged and the others go on; RPC failures are retried with backoff and
 * never end the daemon. With --until-done it exits once everything it tends is over: 5 if it lost a dispute.
 */
import path from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import type { Backend } from '../../models/gpu/backend.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { playRound, type Actor, type ActorLog, type ActorObserver, type LogLevel } from '../game/actor.ts';
import type { GameChain } from '../game/chain.ts';
import { Store } from '../game/store.ts';
import type { ChallengerState } from '../game/challenger.ts';
import { ChallengerWatch, SubmitterWatch, type WatchedModel } from '../game/watcher.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import { Output } from '../output.ts';
import { honestClaims } from './backendArg.ts';
import { connect, type ChainOptions } from './connect.ts';
import { absoluteSpecs, generationFromArgs, loweringFromArgs, prepareFromArgs, type ModelArgs } from './modelArg.ts';
import { WatchMetrics, type WatchObserver } from './watchMetrics.ts';

export interface WatchOptions extends ChainOptions, ModelArgs {
  role: string;
  backend?: Backend;
  model?: string[];
  state?: string;
  interval?: number;
  /** Stop once every actor is done (for scripts and tests) instead of running forever. */
  untilDone?: boolean;
  json?: boolean;
  /** Serve Prometheus /metrics and /healthz on 127.0.0.1:<port> (off when absent). */
  metricsPort?: number;
  /** error, warn, info (default) or debug. */
  logLevel?: string;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const satisfies readonly LogLevel[];

/** Parse --log-level. */
export function parseLogLevel(v: string): LogLevel {
  const l = v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(l)) throw new OpmlError(`--log-level: "${v}" is not a level`, ExitCode.USAGE, `use one of ${LOG_LEVELS.join(', ')}`);
  return l as LogLevel;
}

/**
 * A daemon's log: lines at or above `level`; for people `<time> <line>` (warn/error/debug tagged), under
 * --json one object per line ({time, level, line, ...fields}).
 */
export function leveledLog(out: Output, level: LogLevel = 'info'): ActorLog & { event: (l: LogLevel, line: string, fields?: Record<string, unknown>) => void } {
  const max = LOG_LEVELS.indexOf(level);
  const event = (l: LogLevel, line: string, fields: Record<string, unknown> = {}) => {
    if (LOG_LEVELS.indexOf(l) > max) return;
    const time = new Date().toISOString();
    if (out.json) out.event({ time, level: l, line, ...fields });
    else out.line(`${time} ${l === 'info' ? '' : `${l}: `}${line}`);
  };
  return Object.assign((line: string, l: LogLevel = 'info') => event(l, line), { event });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A model by name (with --calibration and --shape for an .onnx outside the zoo), ready to re-execute any input on the chosen backend. */
function watchedModel(name: string, backend: Backend, args: ModelArgs = {}): WatchedModel {
  const prepared = prepareFromArgs(name, args.calibration, args.shape, undefined, loweringFromArgs(args), generationFromArgs(args));
  const commitment = modelCommitment(prepared.int, prepared.lowering);
  return { name, commitment, claims: (inputs) => honestClaims(backend, prepared.int, inputs, undefined, prepared.lowering) };
}

/** Throw DISPUTE_LOST if any actor lost a dispute (after saying which). */
export function requireNoLoss(actors: readonly Actor[]): void {
  const lost = actors.flatMap((a) => [...a.lost.values()]);
  if (lost.length > 0) throw new OpmlError(`${lost.length} dispute(s) lost: ${lost.join('; ')}`, ExitCode.DISPUTE_LOST);
}

/**
 * Round after round: look for new work (`scan`), move in every dispute, wait for the block; sleep when
 * nobody could move. RPC failures back off (1 s doubling to 30 s) and the loop goes on.
 */
export async function playUntilDone(scan: () => Promise<void>, actors: () => Actor[], opts: { intervalMs?: number; forever?: boolean; log?: ActorLog; observer?: WatchObserver } = {}): Promise<void> {
  let backoff = 0;
  for (;;) {
    try {
      await scan();
      const acted = await playRound(actors(), undefined, opts.log, (err) => opts.observer?.txFailed?.(err));
      await opts.observer?.round?.(acted);
      const all = actors();
      if (!opts.forever && all.length > 0 && (await Promise.all(all.map((a) => a.done()))).every(Boolean)) return;
      backoff = 0;
      if (!acted) await sleep(opts.intervalMs ?? 1000);
    } catch (err) {
      if (!(err instanceof OpmlError) || err.exitCode !== ExitCode.CHAIN) throw err;
      backoff = Math.min(30_000, backoff === 0 ? 1000 : backoff * 2);
      opts.observer?.rpcError?.(err, backoff);
      opts.log?.(`${err.message}; retrying in ${backoff / 1000} s`, 'warn');
      await sleep(backoff);
    }
  }
}

interface ModelRef extends ModelArgs {
  name: string;
}

/** Models named in submitter state files under `dir` (so a bare `watch --role submitter` knows them), with how they were quantized. */
function modelsInStateFiles(dir: string): ModelRef[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('submitter-') && f.endsWith('.json'))
    .flatMap((f) => {
      try {
        const s = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { model?: unknown; calibration?: unknown; shape?: unknown; tileSteps?: unknown; generate?: unknown; promptLength?: unknown };
        const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
        const int = (v: unknown) => (Number.isSafeInteger(v) ? (v as number) : undefined);
        const generate = int(s.generate);
        return typeof s.model === 'string' && s.model !== '' ? [{ name: s.model, calibration: strings(s.calibration), shape: strings(s.shape), tileSteps: int(s.tileSteps), generate, promptLength: generate === undefined ? undefined : int(s.promptLength) }] : [];
      } catch {
        return [];
      }
    });
}

export async function watch(opts: WatchOptions, out = new Output(opts)): Promise<void> {
  const log = leveledLog(out, parseLogLevel(opts.logLevel ?? 'info'));
  const intervalMs = opts.interval ?? 1000;
  const run = { intervalMs, forever: !opts.untilDone, log };
  let metrics: WatchMetrics | undefined;
  /** Start the metrics server once the chain is known; the hooks to hand to the actors and the loop. */
  const observe = async (chain: GameChain): Promise<{ observer?: ActorObserver & WatchObserver }> => {
    if (opts.metricsPort === undefined) return debugObserver(log, undefined);
    metrics = new WatchMetrics({ role: opts.role, chain, intervalMs });
    let port: number;
    try {
      port = await metrics.listen(opts.metricsPort);
    } catch (err) {
      throw new OpmlError(`watch: cannot serve metrics on 127.0.0.1:${opts.metricsPort}: ${err instanceof Error ? err.message : String(err)}`, ExitCode.USAGE, 'pick a free --metrics-port');
    }
    log(`metrics on http://127.0.0.1:${port}/metrics, health on http://127.0.0.1:${port}/healthz`);
    return debugObserver(log, metrics);
  };
  try {
    await watchRole(opts, log, run, observe);
  } finally {
    await metrics?.close();
  }
}

/** The observer a watch runs with: metrics (if any) plus debug log lines of every move and round. */
function debugObserver(log: ReturnType<typeof leveledLog>, metrics: WatchMetrics | undefined): { observer: ActorObserver & WatchObserver } {
  return {
    observer: {
      acted: (a) => {
        metrics?.acted(a);
        log.event('debug', `${a.actor}: sent ${a.action}${a.dispute === undefined ? '' : ` in dispute ${a.dispute}`}`, { event: 'move', actor: a.actor, action: a.action, dispute: a.dispute });
      },
      saw: (actor, d, v) => metrics?.saw(actor, d, v),
      failed: (actor, err) => metrics?.failed(actor, err),
      round: async (acted) => {
        await metrics?.round();
        const open = metrics?.disputes;
        log.event('debug', `round done: ${acted ? 'moved' : 'nothing to do'}${open ? `; ${open.length} open dispute(s)${open.map((d) => `; dispute ${d.dispute}: ${d.phase} phase, ${d.turn} to move, ${d.clockLeft} s left`).join('')}` : ''}`, { event: 'round', acted, disputes: open });
      },
      rpcError: () => metrics?.rpcError(),
      txFailed: () => metrics?.txFailed(),
    },
  };
}

async function watchRole(
  opts: WatchOptions,
  log: ActorLog,
  base: { intervalMs: number; forever: boolean; log: ActorLog },
  observe: (chain: GameChain) => Promise<{ observer?: ActorObserver & WatchObserver }>,
): Promise<void> {
  const backend = opts.backend ?? 'auto';
  if (opts.role === 'submitter') {
    const dir = opts.state ? path.dirname(opts.state) : '.opml';
    // The same model named twice (on the command line and in a state file) is prepared once.
    const refs = new Map<string, ModelRef>();
    for (const r of [...(opts.model ?? []).map((name) => ({ name, calibration: absoluteSpecs(opts.calibration), shape: opts.shape, tileSteps: opts.tileSteps, generate: opts.generate, promptLength: opts.promptLength })), ...modelsInStateFiles(dir)]) {
      const key = JSON.stringify([r.name, r.calibration ?? [], r.shape ?? [], r.tileSteps ?? null, r.generate ?? null, r.promptLength ?? null]);
      if (!refs.has(key)) refs.set(key, r);
    }
    const names = [...new Set([...refs.values()].map((r) => r.name))];
    if (names.length === 0) throw new OpmlError('watch: no model to defend', ExitCode.USAGE, 'pass --model <name> (or submit first with `opml submit`, whose state file names it)');
    const models = new Map<Hex, WatchedModel>(); // bad model files are refused before the chain is touched
    for (const r of refs.values()) {
      const m = watchedModel(r.name, backend, r.calibration && r.calibration.length > 0 ? r : { shape: r.shape, tileSteps: r.tileSteps, generate: r.generate, promptLength: r.promptLength });
      models.set(m.commitment.modelId, m);
    }
    const chain = await connect({ ...opts, account: opts.account ?? 0 });
    const { observer } = await observe(chain);
    const w = new SubmitterWatch(chain, models, dir, { log, observer });
    log(`defending every result of ${chain.address} for ${names.join(', ')}`);
    await playUntilDone(() => w.scan(), () => w.submitters, { ...base, observer });
    requireNoLoss(w.submitters);
    return;
  }
  if (opts.role === 'challenger') {
    const models = opts.model ?? [];
    if (models.length !== 1) throw new OpmlError('watch: a challenger watches exactly one --model', ExitCode.USAGE, 'e.g. opml watch --role challenger --model mnist-mlp');
    const model = watchedModel(models[0], backend, opts); // a bad model file is refused before the chain is touched
    const chain = await connect({ ...opts, account: opts.account ?? 1 });
    const { observer } = await observe(chain);
    const w = challengerWatch(chain, model, opts.state, log, observer);
    log(`watching results of ${models[0]} (model id ${model.commitment.modelId.slice(0, 10)}…)`);
    await playUntilDone(() => w.scan(), () => w.challengers, { ...base, observer });
    requireNoLoss(w.challengers);
    return;
  }
  throw new OpmlError(`watch: unknown role "${opts.role}"`, ExitCode.USAGE, 'use --role submitter or --role challenger');
}

/** A challenger watcher with its state file (default: one per model, chain and game contract). */
export function challengerWatch(chain: GameChain, model: WatchedModel, state: string | undefined, log: ActorLog, observer?: ActorObserver): ChallengerWatch {
  const { chainId, game } = chain.deployment;
  const file = state ?? path.join('.opml', `challenger-${path.basename(model.name).replace(/[^\w.-]/g, '_')}-${chainId}-${game.slice(2, 10).toLowerCase()}.json`);
  const store = Store.openBound<ChallengerState>(file, { role: 'challenger', model: model.name, checked: {} }, { chainId, game });
  log(`state file ${file}`);
  return new ChallengerWatch(chain, model, store, { log, observer });
}
