// Every supported op, against onnxruntime-node: single-op models built in memory.

import { describe, expect, it } from 'vitest';
import { SUPPORTED_OPS } from '../../models/ops.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { compareWithOrt } from './compare.ts';
import { OP_CASES } from './op-cases.ts';

describe('float evaluator vs onnxruntime-node, per op', () => {
  for (const c of OP_CASES) {
    it(c.name, async () => {
      const result = await compareWithOrt(writeOnnx(c.model), c.feeds);
      expect(result.compared).toBeGreaterThan(0);
      expect(result.worst, `worst value ${result.worstValue}`).toBeLessThanOrEqual(1);
    });
  }

  it('covers every supported op', () => {
    const covered = new Set(OP_CASES.flatMap((c) => c.model.nodes.map((n) => n.op)));
    expect(SUPPORTED_OPS.filter((op) => !covered.has(op))).toEqual([]);
  });
});
