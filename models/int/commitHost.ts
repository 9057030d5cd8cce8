/**
 * The main thread's side of the commit worker: starts it (from the sources through tsx, or from the bundle in
 * dist/), queues tensors into shared memory (protocol: commitChannel.ts), and collects their roots.
 *
 * A run opens a `CommitBatch`, `add`s each tensor as it is produced (a copy into the shared arena, a record, a
 * notify: a few µs, no message), and at the end `roots()`: the main thread first roots, from the back, every
 * queued tensor the worker has not started (so a slow or still-starting worker never makes a run slower than
 * rooting everything on the main thread), then waits for the worker's tensor in flight, no longer than rooting
 * it on the main thread would take (then the main thread roots it too). Nothing ever waits on a dead worker: a
 * worker that exits or fails leaves its tensors to the main thread, which roots them itself.
 *
 * The worker is unref'd while nothing waits on it, so a process exits by itself; `closeCommitHost` ends it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { tensorRootOf } from '../../vm/merkle.ts';
import {
  ARENA_GEN,
  CONTROL_WORDS,
  DONE,
  DONE_COUNT,
  FAILED,
  HEAD,
  JOB_SLOTS,
  MAIN,
  OFFSET,
  QUEUED,
  READY,
  recordOf,
  ROOT,
  SLEEPING,
  STATE,
  WORDS,
  type ArenaMessage,
  type CommitWorkerData,
} from './commitChannel.ts';

/** The commit worker could not be started or found. */
export class CommitWorkerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommitWorkerError';
  }
}

/** Most words the shared arena grows to (256 MiB); a tensor that does not fit is rooted on the main thread. */
export const MAX_ARENA_WORDS = 1 << 26;
/**
 * A sleeping worker is woken once this many words have queued since it slept. A wake costs both threads a
 * futex call and a context switch (~10-20 µs of CPU, the rooting of a few hundred words; on a busy machine it
 * may also preempt the main thread): 8k words (~0.27 ms of rooting) keeps that near 5%.
 */
export const WAKE_WORDS = 1 << 13;
/** Smallest arena allocated. */
const MIN_ARENA_WORDS = 1 << 16;
/** Rooting speed of one core (vm/merkle.ts tensorRootOf, ~35k words in 1.1 ms): bounds waits on the worker. */
export const ROOT_WORDS_PER_MS = 30_000;
/** Waits on the worker shorter than this poll its record instead of sleeping. */
const SPIN_MS = 0.1;
/** How long `roots()` blocks the main thread in Atomics.wait before it waits asynchronously (and can see an exit). */
const SYNC_WAIT_MS = 20;

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Where the worker entry is: next to this module in the sources (.ts), or at the top of dist/ in the bundle. */
function workerEntry(): { file: string; typescript: boolean } {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.ts')) return { file: fileURLToPath(new URL('./commitWorker.ts', here)), typescript: true };
  // The bundle (scripts/build.mjs): this code sits in dist/main.js or in a chunk under dist/chunks/.
  for (const rel of ['./commitWorker.js', '../commitWorker.js']) {
    const file = fileURLToPath(new URL(rel, here));
    if (existsSync(file)) return { file, typescript: false };
  }
  throw new CommitWorkerError(`the commit worker is not in the bundle next to ${here.pathname} (dist/commitWorker.js): run \`npm run build\` again, or OPML_NO_BUNDLE=1 to run the sources`);
}

/**
 * A worker on the TypeScript sources. Node 20's module hooks (tsx's --import) do not reach worker threads, so
 * the worker starts as a small CommonJS script that installs tsx's require hook, then requires the entry.
 */
function spawn(data: CommitWorkerData, transfer: MessagePort): Worker {
  const entry = workerEntry();
  const options = { workerData: data, transferList: [transfer] };
  if (!entry.typescript) return new Worker(entry.file, options);
  let tsx: string;
  try {
    tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  } catch (e) {
    throw new CommitWorkerError('running the TypeScript sources, the commit worker needs the tsx package (a dependency in package.json): run `npm install`', { cause: e });
  }
  const boot = `require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry.file)});`;
  return new Worker(boot, { ...options, eval: true, execArgv: [] });
}

/** What the main thread keeps of a queued tensor. */
interface Job {
  /** Sequence number, or -1 when the tensor was not queued (the main thread roots it). */
  seq: number;
  words: ArrayLike<number>;
}

/** Counters, for tests and measurements. */
export interface CommitStats {
  /** Tensors rooted by the worker. */
  byWorker: number;
  /** Tensors rooted on the main thread (not started by the worker, not queued, or left by a dead worker). */
  byMain: number;
  /** Of those, tensors the worker had taken but not finished in time (a descheduled worker, or a dead one). */
  overtaken: number;
}

/** One worker thread and its shared memory. */
export class CommitHost {
  readonly worker: Worker;
  /** Resolves once the worker runs its loop; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when the worker thread has exited. */
  readonly exited: Promise<void>;
  /** Set once the worker exits (or is being closed): nothing more is queued, nothing waits on it. */
  dead = false;
  /** Why the worker died, when it failed. */
  error?: Error;
  readonly stats: CommitStats = { byWorker: 0, byMain: 0, overtaken: 0 };

  private readonly control: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly port: MessagePort;
  private arena: Int32Array;
  private gen = 0;
  private arenaNext = 0;
  private seq = 0;
  private readonly busy = new Uint8Array(JOB_SLOTS);
  private outstanding = 0;
  /** Sequence numbers of abandoned batches the worker may still be rooting. */
  private limbo: number[] = [];
  private refs = 0;
  /** Words queued since the worker was last woken while it sleeps. */
  private unwoken = 0;

  constructor(arenaWords = MIN_ARENA_WORDS) {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    this.control = new Int32Array(control);
    this.bytes = new Uint8Array(control);
    const arena = new SharedArrayBuffer(Math.max(MIN_ARENA_WORDS, arenaWords) * 4);
    this.arena = new Int32Array(arena);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.unref();
    this.worker = spawn({ control, arena, port: channel.port2 }, channel.port2);
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', () => resolve());
      this.worker.once('exit', () => reject(this.error ?? new CommitWorkerError('the commit worker exited before it started')));
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      this.worker.on('error', (e) => {
        this.error = new CommitWorkerError(`the commit worker failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      });
      this.worker.once('exit', () => {
        this.dead = true;
        resolve();
      });
    });
  }

  /** Whether the worker has started its loop. */
  get started(): boolean {
    return Atomics.load(this.control, READY) === 1;
  }

  /** Ends the worker; queued tensors fall to the main thread. */
  async close(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  /** A batch for one run that will queue about `words` words. */
  batch(words: number): CommitBatch {
    this.reclaim();
    if (this.outstanding === 0) {
      this.arenaNext = 0;
      if (words > this.arena.length && !this.dead) this.growArena(Math.min(MAX_ARENA_WORDS, Math.max(words, 2 * this.arena.length)));
    }
    return new CommitBatch(this);
  }

  /** Queue `words`; a job with seq -1 when it cannot be (no free record, no room, or no worker). */
  queue(words: ArrayLike<number> & { length: number }): Job {
    const n = words.length;
    const slot = this.seq & (JOB_SLOTS - 1);
    if (this.dead || this.busy[slot] || this.arenaNext + n > this.arena.length) return { seq: -1, words };
    const offset = this.arenaNext;
    this.arena.set(words, offset);
    this.arenaNext += n;
    const rec = recordOf(this.seq);
    this.control[rec + OFFSET] = offset;
    this.control[rec + WORDS] = n;
    Atomics.store(this.control, rec + STATE, QUEUED);
    this.busy[slot] = 1;
    this.outstanding++;
    const seq = this.seq;
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.control, HEAD, this.seq);
    // A sleeping worker is woken once WAKE_WORDS have queued up, not per tensor; an awake one sees HEAD itself.
    if (Atomics.load(this.control, SLEEPING) === 0) this.unwoken = 0;
    else if ((this.unwoken += n) >= WAKE_WORDS) this.wake();
    return { seq, words };
  }

  /** Wakes a sleeping worker (for tensors queued without a wake). */
  wake(): void {
    this.unwoken = 0;
    Atomics.notify(this.control, HEAD, 1);
  }

  /** Claims a queued job for the main thread; false when the worker has it. */
  claim(job: Job): boolean {
    return Atomics.compareExchange(this.control, recordOf(job.seq) + STATE, QUEUED, MAIN) === QUEUED;
  }

  /** Whether the worker has rooted a job. */
  isDone(job: Job): boolean {
    return Atomics.load(this.control, recordOf(job.seq) + STATE) === DONE;
  }

  /** The worker's root of a job (once `isDone`). */
  result(job: Job): Uint8Array {
    const at = (recordOf(job.seq) + ROOT) * 4;
    return this.bytes.slice(at, at + 32);
  }

  /** Frees a job's record (and, when none is left, the arena). */
  release(job: Job): void {
    if (job.seq < 0) return;
    this.busy[job.seq & (JOB_SLOTS - 1)] = 0;
    this.outstanding--;
  }

  /** Gives up on jobs whose roots nobody will read: cancelled when still queued, else freed once done. */
  abandon(jobs: readonly Job[]): void {
    for (const job of jobs) {
      if (job.seq < 0) continue;
      if (this.claim(job) || this.isDone(job)) this.release(job);
      else this.limbo.push(job.seq);
    }
  }

  private reclaim(): void {
    if (this.limbo.length === 0) return;
    this.limbo = this.limbo.filter((seq) => {
      const done = this.isDone({ seq, words: [] });
      if (done) this.release({ seq, words: [] });
      return !done;
    });
  }

  /**
   * Blocks (Atomics.wait) until the worker has finished `job`, for at most `ms`: true when its root is there,
   * false on timeout or when the worker is gone. The bound matters on a shared machine: a worker descheduled
   * mid-tensor must not hold the run up longer than rooting that tensor here would.
   */
  waitDone(job: Job, ms: number): boolean {
    const deadline = performance.now() + ms;
    if (ms < SPIN_MS) {
      // A timed futex wait sleeps at least ~50 µs (timer slack): for a short wait, poll instead.
      while (performance.now() < deadline) if (this.isDone(job)) return true;
      return this.isDone(job);
    }
    for (;;) {
      if (this.isDone(job)) return true;
      if (this.dead || Atomics.load(this.control, FAILED) === 1) return false;
      const done = Atomics.load(this.control, DONE_COUNT);
      if (this.isDone(job)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, DONE_COUNT, done, left);
    }
  }

  /**
   * Waits, without a bound, until the worker has finished `job` or is gone: true when its root is there. Blocks
   * up to `budget.ms` in all, then waits asynchronously, where the worker's exit can be seen.
   */
  async settle(job: Job, budget: { ms: number }): Promise<boolean> {
    for (;;) {
      if (this.isDone(job)) return true;
      if (this.dead || Atomics.load(this.control, FAILED) === 1) return false;
      const done = Atomics.load(this.control, DONE_COUNT);
      if (this.isDone(job)) return true;
      if (budget.ms > 0) {
        const t = performance.now();
        Atomics.wait(this.control, DONE_COUNT, done, budget.ms);
        budget.ms -= performance.now() - t;
        continue;
      }
      const wait = waitAsync(this.control, DONE_COUNT, done, 100);
      if (!wait.async) continue;
      this.hold();
      try {
        await Promise.race([wait.value, this.exited]);
      } finally {
        this.letGo();
      }
    }
  }

  /** Keeps the process alive while a run awaits the worker. */
  private hold(): void {
    if (this.refs++ === 0) this.worker.ref();
  }

  private letGo(): void {
    if (--this.refs === 0) this.worker.unref();
  }

  private growArena(words: number): void {
    const arena = new SharedArrayBuffer(words * 4);
    this.arena = new Int32Array(arena);
    this.gen++;
    const message: ArenaMessage = { gen: this.gen, arena };
    this.port.postMessage(message);
    Atomics.store(this.control, ARENA_GEN, this.gen);
  }
}

/** The tensors of one run, queued in order, rooted by whichever thread gets to each first. */
export class CommitBatch {
  private readonly jobs: Job[] = [];

  constructor(private readonly host: CommitHost) {}

  /** Queue a tensor; its root comes back from `roots()` at the same index. */
  add(words: ArrayLike<number> & { length: number }): void {
    this.jobs.push(this.host.queue(words));
  }

  /**
   * The roots of every added tensor, in order. With `steal` (default) the main thread roots, from the back,
   * what the worker has not started, then waits for the worker's tensor in flight no longer than rooting it
   * here would take (ROOT_WORDS_PER_MS), and roots it here when that runs out. Without `steal` it leaves every
   * queued tensor to the worker and waits as long as the worker lives (tests, measurement).
   */
  async roots(steal = true): Promise<Uint8Array[]> {
    const { host, jobs } = this;
    const roots: (Uint8Array | undefined)[] = new Array(jobs.length);
    const mine = (k: number): void => {
      roots[k] = tensorRootOf(jobs[k].words);
      host.stats.byMain++;
    };
    const theirs = (k: number): void => {
      roots[k] = host.result(jobs[k]);
      host.stats.byWorker++;
      host.release(jobs[k]);
    };
    for (let k = jobs.length - 1; k >= 0; k--) {
      const job = jobs[k];
      if (job.seq < 0) mine(k);
      else if (steal && host.claim(job)) {
        mine(k);
        host.release(job);
      }
    }
    host.wake();
    const budget = { ms: SYNC_WAIT_MS };
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[k];
      if (roots[k]) continue;
      if (steal ? host.waitDone(job, job.words.length / ROOT_WORDS_PER_MS) : await host.settle(job, budget)) theirs(k);
      else {
        mine(k);
        host.stats.overtaken++;
        host.abandon([job]);
      }
    }
    return roots as Uint8Array[];
  }

  /** Gives up on the batch (the run failed): nothing of it is rooted any more. */
  abandon(): void {
    this.host.abandon(this.jobs);
  }
}
