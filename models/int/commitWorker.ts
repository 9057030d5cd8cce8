/**
 * The commit worker's entry (a worker thread; started by commitHost.ts): roots the tensors the main thread
 * queues in shared memory (protocol: commitChannel.ts), with the same code as the main thread
 * (vm/merkle.ts tensorRootOf), so the roots are bit for bit those of runGraph.
 *
 * It sleeps on HEAD with Atomics.wait (SLEEPING set meanwhile), visits jobs in sequence order, claims each
 * QUEUED → WORKER (the main thread may have claimed it first), hashes, writes the root and DONE, and notifies
 * DONE_COUNT. It imports nothing heavy (no viem): in the sources it starts through tsx's require hook, in
 * dist/ as a bundle entry (scripts/build.mjs).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { tensorRootOf } from '../../vm/merkle.ts';
import {
  ARENA_GEN,
  DONE,
  DONE_COUNT,
  FAILED,
  HEAD,
  OFFSET,
  QUEUED,
  READY,
  recordOf,
  ROOT,
  SLEEPING,
  STATE,
  WORDS,
  WORKER,
  type ArenaMessage,
  type CommitWorkerData,
} from './commitChannel.ts';

/** The worker got an arena generation it never received: the main thread broke the protocol. */
export class CommitArenaError extends Error {
  constructor(want: number, have: number) {
    super(`commit worker: the control block names arena generation ${want}, but the port holds no newer arena than ${have} (a protocol bug in models/int/commitHost.ts)`);
    this.name = 'CommitArenaError';
  }
}

function serve(data: CommitWorkerData): void {
  const control = new Int32Array(data.control);
  const bytes = new Uint8Array(data.control);
  const port: MessagePort = data.port;
  let arena = new Int32Array(data.arena);
  let gen = 0;

  /** Take arenas from the port until ours is the generation the control block names. */
  const syncArena = (): void => {
    const want = Atomics.load(control, ARENA_GEN);
    while (gen !== want) {
      const m = receiveMessageOnPort(port);
      if (!m) throw new CommitArenaError(want, gen);
      const msg = m.message as ArenaMessage;
      arena = new Int32Array(msg.arena);
      gen = msg.gen;
    }
  };

  Atomics.store(control, READY, 1);
  parentPort?.postMessage('ready');
  let next = 0;
  for (;;) {
    if (Atomics.load(control, HEAD) === next) {
      // Announce the sleep before the last look at HEAD: a job published meanwhile either is seen here, or
      // its publisher sees SLEEPING and wakes us (both sides use sequentially consistent atomics).
      Atomics.store(control, SLEEPING, 1);
      if (Atomics.load(control, HEAD) === next) Atomics.wait(control, HEAD, next);
      Atomics.store(control, SLEEPING, 0);
      continue;
    }
    const rec = recordOf(next);
    if (Atomics.compareExchange(control, rec + STATE, QUEUED, WORKER) === QUEUED) {
      syncArena();
      const offset = control[rec + OFFSET];
      const root = tensorRootOf(arena.subarray(offset, offset + control[rec + WORDS]));
      bytes.set(root, (rec + ROOT) * 4);
      Atomics.store(control, rec + STATE, DONE);
      Atomics.add(control, DONE_COUNT, 1);
      Atomics.notify(control, DONE_COUNT);
    }
    next = (next + 1) | 0;
  }
}

if (parentPort && workerData) {
  const data = workerData as CommitWorkerData;
  try {
    serve(data);
  } catch (e) {
    // Tell a main thread that waits synchronously, then die with the error (the host sees 'error' and 'exit').
    const control = new Int32Array(data.control);
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, DONE_COUNT);
    throw e;
  }
}
