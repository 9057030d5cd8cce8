/**
 * `opml report <submission>`: one self-contained HTML page of a submission and its disputes (the model graph
 * with the disputed node, every move with gas and clocks, the disputed VM step decoded, the ruling and where
 * every bond went), or with --json the data it is rendered from. Reads only: no key needed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, OpmlError } from '../errors.ts';
import type { GameChain } from '../game/chain.ts';
import { Output } from '../output.ts';
import { collectReport } from '../report/collect.ts';
import { renderReport } from '../report/html.ts';
import type { ReportData } from '../report/types.ts';
import { connect, type ChainOptions } from './connect.ts';
import { generationFromArgs, loweringFromArgs, prepareFromArgs } from './modelArg.ts';

export interface ReportOptions extends ChainOptions {
  dispute?: string;
  output?: string;
  model?: string;
  calibration?: string | string[];
  tileSteps?: number;
  generate?: number;
  promptLength?: number;
  shape?: string[];
  json?: boolean;
}

const ID = /^\d+$/;

export async function report(id: string, opts: ReportOptions, out = new Output(opts), chainIn?: GameChain): Promise<{ data: ReportData; file?: string }> {
  if (!ID.test(id)) throw new OpmlError(`report: "${id}" is not a submission id`, ExitCode.USAGE, 'pass the number `opml submit` or `opml status` printed');
  if (opts.dispute !== undefined && !ID.test(opts.dispute)) throw new OpmlError(`report: --dispute "${opts.dispute}" is not a dispute id`, ExitCode.USAGE);
  const model = opts.model ? prepareFromArgs(opts.model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts)) : undefined;
  const chain = chainIn ?? (await connect({ ...opts, readOnly: true }));
  const data = await collectReport(chain, BigInt(id), { dispute: opts.dispute !== undefined ? BigInt(opts.dispute) : undefined, model });
  const file = opts.output ?? (opts.json ? undefined : 'report.html');
  if (file) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      writeFileSync(file, renderReport(data));
    } catch (err) {
      throw new OpmlError(`report: cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`, ExitCode.INPUT, 'pass a writable path with -o <file>');
    }
  }
  out.result(data);
  const s = data.submission;
  out.line(`result ${s.id}: ${s.status}, ${data.disputes.length} dispute(s) shown, ${data.disputes.reduce((a, d) => a + d.moves.length, 0)} moves`);
  for (const d of data.disputes) {
    out.line(`  dispute ${d.d}: ${d.winner === 'none' ? `open (${d.phase} phase)` : `won by the ${d.winner} (${d.reason})`}${d.node !== undefined ? `, node ${d.node}` : ''}${d.step ? `, step ${d.step.step}${d.step.instruction ? `: ${d.step.instruction.text}` : ''}` : ''}`);
  }
  if (!model && data.disputes.some((d) => d.step)) out.line('  (pass --model <model> to decode the disputed step by re-running the model)');
  if (file) out.line(`wrote ${file}`);
  return { data, file };
}
