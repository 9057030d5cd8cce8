// Stable topological sort of nodes by their data dependencies (Kahn's algorithm, preferring the file's
// order), with a readable cycle report.

import { GraphCycleError, nodeSubject } from '../errors.ts';

export interface SortableNode {
  name: string;
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

/** Returns the nodes in dependency order. Inputs produced by no node (graph inputs, constants) are ignored. */
export function topoSort<N extends SortableNode>(nodes: readonly N[]): N[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));

  const deps = nodes.map((n) => {
    const set = new Set<number>();
    for (const input of n.inputs) {
      const p = producer.get(input);
      if (p !== undefined) set.add(p);
    }
    return set;
  });
  const users: number[][] = nodes.map(() => []);
  deps.forEach((set, i) => set.forEach((p) => users[p].push(i)));

  const pending = deps.map((s) => s.size);
  // Ready nodes kept sorted by index so the result follows the file's order wherever it can.
  const ready: number[] = [];
  pending.forEach((c, i) => c === 0 && ready.push(i));
  const order: N[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]);
    for (const u of users[i]) {
      if (--pending[u] === 0) insertSorted(ready, u);
    }
  }
  if (order.length < nodes.length) throw cycleError(nodes, deps, pending);
  return order;
}

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

function cycleError(nodes: readonly SortableNode[], deps: Set<number>[], pending: number[]): GraphCycleError {
  // Walk backwards along unresolved dependencies until a node repeats: that closes a cycle.
  const stuck = (i: number) => pending[i] > 0;
  let cur = pending.findIndex((c) => c > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  while (!seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = [...deps[cur]].find(stuck)!;
  }
  const cycle = path.slice(seen.get(cur)).reverse(); // producer → consumer order
  const start = cycle.indexOf(Math.min(...cycle));
  const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
  const first = nodes[ordered[0]];
  const chain = [...ordered, ordered[0]].map((i) => `"${nodes[i].name}"`).join(' -> ');
  return new GraphCycleError(
    nodeSubject(first.name, first.op),
    `the graph has a cycle ${chain}`,
    'ONNX graphs must be acyclic; make sure no node consumes its own output, directly or indirectly',
  );
}
