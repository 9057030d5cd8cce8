/**
 * The shared-memory protocol between the main thread and the commit worker (commitWorker.ts): what lives
 * where in the two SharedArrayBuffers, and the states a job moves through. No imports, so the worker loads it
 * cheaply.
 *
 * - The control buffer (Int32Array) holds a few counters, then JOB_SLOTS job records of JOB_STRIDE words.
 * - The data arena (Int32Array) holds the words of queued tensors; a job record points into it.
 *
 * A job is published by the main thread (record written, state QUEUED, then HEAD advanced and notified). The
 * worker visits jobs in order and claims each with a compare-exchange QUEUED → WORKER; the main thread claims
 * the ones left at the end of a run from the back, QUEUED → MAIN, and hashes them itself. Whoever wins hashes;
 * the worker writes the 32-byte root into the record, sets DONE and notifies DONE_COUNT.
 */
import type { MessagePort } from 'node:worker_threads';

/**
 * Job records in the control buffer; a power of two, so a wrapping int32 sequence maps onto them. A record is
 * free again once its run has read the root, so a run of more tensors than this roots the rest on the main
 * thread (the zoo's largest graph has under 100 nodes).
 */
export const JOB_SLOTS = 8192;
/** Int32 words per job record: 64 bytes, one cache line, so neighbouring records do not share one. */
export const JOB_STRIDE = 16;

/** Control words: jobs published so far (wraps as int32); the worker sleeps on it. */
export const HEAD = 0;
/** Control words: jobs the worker finished so far (wraps); the main thread sleeps on it. */
export const DONE_COUNT = 1;
/** Control words: generation of the data arena; when it moves, the worker takes the new arena from its port. */
export const ARENA_GEN = 2;
/** Control words: 1 once the worker runs its loop. */
export const READY = 3;
/** Control words: 1 when the worker caught an error and stops (it then exits). */
export const FAILED = 4;
/** Control words: 1 while the worker sleeps (or is about to) on HEAD; the main thread wakes it only then. */
export const SLEEPING = 5;
/** First word of the job records. */
export const JOBS_BASE = 16;

/** Offsets inside a job record. */
export const STATE = 0;
export const OFFSET = 1;
export const WORDS = 2;
/** The root: 8 words (32 bytes, written as bytes) from here. */
export const ROOT = 8;

/** Job states. */
export const FREE = 0;
export const QUEUED = 1;
export const WORKER = 2;
export const MAIN = 3;
export const DONE = 4;

/** Int32 length of the control buffer. */
export const CONTROL_WORDS = JOBS_BASE + JOB_SLOTS * JOB_STRIDE;

/** First control word of the record for sequence number `seq`. */
export function recordOf(seq: number): number {
  return JOBS_BASE + (seq & (JOB_SLOTS - 1)) * JOB_STRIDE;
}

/** What the worker is started with (workerData). */
export interface CommitWorkerData {
  control: SharedArrayBuffer;
  arena: SharedArrayBuffer;
  /** Where later arenas arrive ({ gen, arena } messages), read synchronously by the worker. */
  port: MessagePort;
}

/** A message on the arena port. */
export interface ArenaMessage {
  gen: number;
  arena: SharedArrayBuffer;
}
