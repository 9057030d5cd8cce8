/** `opml status <id>`: a submission and its disputes: phase, range, clocks, who must move. */
import { ExitCode, OpmlError } from '../errors.ts';
import { MOVE_NAMES, PHASE_NAMES, REASON_NAMES, SIDE_NAMES, STATUS_NAMES, SubmissionStatus } from '../game/types.ts';
import { Output } from '../output.ts';
import { connect, type ChainOptions } from './connect.ts';

export async function status(id: string, opts: ChainOptions & { json?: boolean }, out = new Output(opts)) {
  if (!/^\d+$/.test(id)) throw new OpmlError(`status: "${id}" is not a submission id`, ExitCode.USAGE);
  const chain = await connect({ ...opts, readOnly: true }); // reads only: no key needed
  if (BigInt(id) >= (await chain.submissionCount())) throw new OpmlError(`status: there is no submission ${id}`, ExitCode.INPUT, `ids run from 0 to ${(await chain.submissionCount()) - 1n}`);
  const s = await chain.submission(BigInt(id));
  const now = await chain.now();
  const disputes = await Promise.all((await chain.disputesOf(BigInt(id))).map(async (d) => ({ d, v: await chain.dispute(d) })));
  const windowEnd = s.submittedAt + BigInt(chain.deployment.challengeWindow);
  out.result({ id, submission: s, disputes: disputes.map(({ d, v }) => ({ d, ...v })), now });
  out.line(`result ${id}: ${STATUS_NAMES[s.status]}, model ${s.modelId}, bond ${s.bond} wei, by ${s.submitter}`);
  out.line(`  S_n ${s.finalState}, output root ${s.outputRoot}`);
  if (s.status === SubmissionStatus.Pending) out.line(`  challenge window ${now <= windowEnd ? `open for ${windowEnd - now} s more` : 'closed'}`);
  for (const { d, v } of disputes) {
    const range = v.phase === 1 ? `nodes ${v.lo}..${v.hi}` : v.phase === 2 ? `node ${v.node}, steps ${v.lo}..${v.hi}` : '';
    out.line(`  dispute ${d} by ${v.challenger}: ${v.phase === 3 ? 'resolved' : `${PHASE_NAMES[v.phase]} phase ${range}`}`);
    if (v.phase === 3) out.line(`    won by the ${SIDE_NAMES[v.winner]} (${REASON_NAMES[v.reason]})`);
    else out.line(`    next: ${MOVE_NAMES[v.next]} by the ${SIDE_NAMES[v.turn]}; clocks: submitter ${v.submitterClock} s, challenger ${v.challengerClock} s`);
  }
}
