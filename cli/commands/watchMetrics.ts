/**
 * Observability for `opml watch`: Prometheus metrics (prom-client) and a health endpoint, served on
 * 127.0.0.1:<--metrics-port> only. The game code knows nothing of prom-client: it calls the optional
 * ActorObserver hooks (cli/game/actor.ts) and the WatchObserver hooks of playUntilDone, which this implements.
 *
 *   GET /metrics  the Prometheus exposition (opml_* metrics and the process' default metrics)
 *   GET /healthz  200 with a small JSON (role, address, chain id, game, last successful round, open disputes);
 *                 503 when the last successful round is older than `staleRounds` intervals (at least
 *                 `minStaleMs`) or the last round failed on the RPC
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ActorAction, ActorObserver } from '../game/actor.ts';
import type { GameChain } from '../game/chain.ts';
import { transient } from '../game/watcher.ts';
import { PHASE_NAMES, Phase, SIDE_NAMES, Side, type DisputeView } from '../game/types.ts';

/** Hooks of playUntilDone (cli/commands/watch.ts): one per round and per failure. */
export interface WatchObserver {
  /** A round went through (scan, moves, block): called inside the round, so an RPC failure here is retried. */
  round?(acted: boolean): Promise<void> | void;
  /** The round failed on the RPC and will be retried after `backoffMs`. */
  rpcError?(err: unknown, backoffMs: number): void;
  /** A transaction sent this round failed (reverted or lost). */
  txFailed?(err: Error): void;
}

export interface DisputeSnapshot {
  dispute: string;
  phase: string;
  turn: string;
  /** The acting side's time left, in seconds of chain time (0 once spent). */
  clockLeft: number;
}

export interface WatchMetricsOptions {
  role: string;
  chain: GameChain;
  intervalMs: number;
  /** Unhealthy when the last successful round is older than this many intervals... */
  staleRounds?: number;
  /** ...and at least this old (a round that re-executes a model or waits for a block takes a while). */
  minStaleMs?: number;
}

/** The acting side's time left in `v` at chain time `now`, in seconds. */
export function clockLeft(v: DisputeView, now: bigint): number {
  if (v.phase === Phase.Resolved) return 0;
  if (v.deadline !== 0n) return Number(v.deadline > now ? v.deadline - now : 0n);
  return Number(v.turn === Side.Submitter ? v.submitterClock : v.challengerClock);
}

export class WatchMetrics implements ActorObserver, WatchObserver {
  readonly registry = new Registry();
  private readonly disputesOpen: Gauge<'role'>;
  private readonly moves: Counter<'role' | 'action'>;
  private readonly rpcErrors: Counter;
  private readonly txFailures: Counter;
  private readonly clock: Gauge<'dispute' | 'side'>;
  private readonly credits: Gauge;
  private readonly rounds: Counter;
  private readonly lastRound: Gauge;
  /** Disputes the actors looked at during the current round. */
  private seen = new Map<string, DisputeView>();
  private snapshot: DisputeSnapshot[] = [];
  private readonly started = Date.now();
  private lastOk: number | undefined;
  private rpcFailing = false;
  private server: Server | undefined;

  constructor(private readonly opts: WatchMetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.disputesOpen = new Gauge({ name: 'opml_disputes_open', help: 'Disputes this watcher tends that are not resolved yet', labelNames: ['role'], registers });
    this.moves = new Counter({ name: 'opml_moves_total', help: 'Transactions sent by this watcher, by move or action (respond_graph, post_vm_state, timeout, challenge, withdraw, ...)', labelNames: ['role', 'action'], registers });
    this.rpcErrors = new Counter({ name: 'opml_rpc_errors_total', help: 'RPC failures (rounds and reads that will be retried)', registers });
    this.txFailures = new Counter({ name: 'opml_transactions_failed_total', help: 'Transactions that reverted or were lost', registers });
    this.clock = new Gauge({ name: 'opml_clock_left_seconds', help: "The acting side's chain-time clock left in each open dispute", labelNames: ['dispute', 'side'], registers });
    this.credits = new Gauge({ name: 'opml_credits_wei', help: "The game's credits to this watcher's account (withdrawn automatically), in wei", registers });
    this.rounds = new Counter({ name: 'opml_rounds_total', help: 'Rounds completed (scan, moves, block)', registers });
    this.lastRound = new Gauge({ name: 'opml_last_round_timestamp_seconds', help: 'Unix time of the last successful round', registers });
    this.disputesOpen.set({ role: opts.role }, 0);
  }

  // ActorObserver
  acted(a: ActorAction): void {
    this.moves.inc({ role: this.opts.role, action: a.action });
  }

  saw(_actor: string, d: bigint, v: DisputeView): void {
    this.seen.set(d.toString(), v);
  }

  failed(_actor: string, err: unknown): void {
    if (transient(err)) this.rpcErrors.inc();
  }

  // WatchObserver
  async round(): Promise<void> {
    const seen = this.seen;
    this.seen = new Map();
    const [now, credit] = await Promise.all([this.opts.chain.now(), this.opts.chain.credits()]);
    const open = [...seen.entries()].filter(([, v]) => v.phase !== Phase.Resolved);
    this.snapshot = open.map(([d, v]) => ({ dispute: d, phase: PHASE_NAMES[v.phase] ?? String(v.phase), turn: SIDE_NAMES[v.turn] ?? String(v.turn), clockLeft: clockLeft(v, now) }));
    this.disputesOpen.set({ role: this.opts.role }, open.length);
    this.clock.reset();
    for (const s of this.snapshot) this.clock.set({ dispute: s.dispute, side: s.turn }, s.clockLeft);
    this.credits.set(Number(credit));
    this.rounds.inc();
    this.lastOk = Date.now();
    this.lastRound.set(this.lastOk / 1000);
    this.rpcFailing = false;
  }

  rpcError(): void {
    this.rpcErrors.inc();
    this.rpcFailing = true;
  }

  txFailed(): void {
    this.txFailures.inc();
  }

  /** The open disputes as of the last round (for the debug log and /healthz). */
  get disputes(): readonly DisputeSnapshot[] {
    return this.snapshot;
  }

  /** The health document and whether it is healthy. */
  health(): { ok: boolean; body: Record<string, unknown> } {
    const staleMs = Math.max((this.opts.staleRounds ?? 10) * this.opts.intervalMs, this.opts.minStaleMs ?? 60_000);
    const since = this.lastOk ?? this.started;
    const stale = Date.now() - since > staleMs;
    const { chainId, game } = this.opts.chain.deployment;
    const body = {
      status: stale || this.rpcFailing ? 'unhealthy' : 'ok',
      role: this.opts.role,
      address: this.opts.chain.address,
      chainId,
      game,
      lastSuccessfulRound: this.lastOk === undefined ? null : new Date(this.lastOk).toISOString(),
      rpcFailing: this.rpcFailing,
      openDisputes: this.snapshot.length,
      disputes: this.snapshot,
    };
    return { ok: !stale && !this.rpcFailing, body };
  }

  /** Serve /metrics and /healthz on 127.0.0.1:`port`; resolves with the bound port. */
  listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      } else if (url === '/metrics') {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(err)),
        );
      } else if (url === '/healthz') {
        const h = this.health();
        res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(h.body)}\n`);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  /** Stop serving (so the process can exit). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
