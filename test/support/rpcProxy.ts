/**
 * A JSON-RPC proxy (node:http) in front of a real node, for tests that need a provider's bad habits: refusing
 * wide eth_getLogs ranges, answering 503, dropping connections. `rule` sees each request (single or batched
 * call) before it is forwarded and may answer it instead.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RpcCall {
  method: string;
  params: unknown[];
  id: unknown;
}

/** What a rule does with a call: forward it (undefined), answer a JSON-RPC error, answer an HTTP status, or drop the connection. */
export type RuleResult = undefined | { error: { code: number; message: string } } | { status: number } | 'drop';

export interface RpcProxy {
  url: string;
  /** calls seen, per method (forwarded or not) */
  seen: Map<string, number>;
  /** eth_getLogs ranges forwarded to the node ([from, to], inclusive) */
  logRanges: [bigint, bigint][];
  rule: (call: RpcCall) => RuleResult;
  close(): Promise<void>;
}

/** The block span of an eth_getLogs call, resolved against `head` for tags. */
export function logSpan(call: RpcCall, head: bigint): [bigint, bigint] {
  const f = (call.params[0] ?? {}) as { fromBlock?: string; toBlock?: string };
  const n = (v: string | undefined, d: bigint) => (v === undefined || v === 'latest' || v === 'pending' || v === 'safe' || v === 'finalized' ? d : v === 'earliest' ? 0n : BigInt(v));
  return [n(f.fromBlock, head), n(f.toBlock, head)];
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const proxy: RpcProxy = { url: '', seen: new Map(), logRanges: [], rule: () => undefined, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: RpcCall | RpcCall[];
      try {
        body = JSON.parse(text);
      } catch {
        res.writeHead(400).end();
        return;
      }
      const calls = Array.isArray(body) ? body : [body];
      for (const c of calls) {
        proxy.seen.set(c.method, (proxy.seen.get(c.method) ?? 0) + 1);
        const r = proxy.rule(c);
        if (r === 'drop') {
          req.socket.destroy();
          return;
        }
        if (r && 'status' in r) {
          res.writeHead(r.status, { 'content-type': 'text/plain' }).end('Service Unavailable');
          return;
        }
        if (r && 'error' in r) {
          const answer = { jsonrpc: '2.0', id: c.id, error: r.error };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(body) ? [answer] : answer));
          return;
        }
        if (c.method === 'eth_getLogs') {
          const f = (c.params[0] ?? {}) as { fromBlock?: string; toBlock?: string };
          if (f.fromBlock?.startsWith('0x') && f.toBlock?.startsWith('0x')) proxy.logRanges.push([BigInt(f.fromBlock), BigInt(f.toBlock)]);
        }
      }
      try {
        const up = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
        const out = await up.text();
        res.writeHead(up.status, { 'content-type': 'application/json' }).end(out);
      } catch {
        req.socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** One JSON-RPC call straight to a node. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
