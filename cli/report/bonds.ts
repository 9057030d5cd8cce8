/**
 * Where every bond of a submission goes, computed from the rulings alone by the rules of docs/GAME.md
 * ("Outcome and economics"): a rejected submission's bond is half burned and the rest shared equally by the
 * winning challengers (the division's remainder burned too); a finalized one's goes back to the submitter; each
 * challenge bond goes back to a winning challenger or to the submitter who beat it.
 */
import { Side, SubmissionStatus } from '../game/types.ts';
import type { BondRow, BondsData } from './types.ts';

export interface BondInputs {
  submitter: string;
  bond: bigint;
  status: number;
  challengeBond: bigint;
  /** Every dispute on the submission (the share depends on all of them). */
  disputes: { d: bigint; challenger: string; resolved: boolean; winner: number }[];
}

export function bondRows(x: BondInputs): Pick<BondsData, 'rows' | 'sources' | 'settled'> {
  const rows: BondRow[] = [];
  const subBond = 'submitter bond';
  const open = x.disputes.filter((d) => !d.resolved).length;
  const winners = x.disputes.filter((d) => d.resolved && d.winner === Side.Challenger);
  if (x.status === SubmissionStatus.Finalized) {
    rows.push({ bond: subBond, amount: x.bond.toString(), to: 'submitter', account: x.submitter, why: 'finalized after its window with no dispute lost: credited back' });
  } else if (x.status === SubmissionStatus.Rejected && open === 0 && winners.length > 0) {
    const share = (x.bond - x.bond / 2n) / BigInt(winners.length);
    const burned = x.bond - share * BigInt(winners.length);
    rows.push({ bond: subBond, amount: burned.toString(), to: 'burned', why: `rejected: half is burned${burned !== x.bond / 2n ? ' (and the remainder of the split)' : ''}` });
    for (const w of winners) rows.push({ bond: subBond, amount: share.toString(), to: 'challenger', account: w.challenger, why: `share of the forfeited bond for winning dispute ${w.d} (${winners.length} winner${winners.length > 1 ? 's' : ''}; credited by settle)` });
  } else {
    rows.push({ bond: subBond, amount: x.bond.toString(), to: 'held', why: x.status === SubmissionStatus.Rejected ? `rejected; split once the last open dispute (${open}) is ruled` : 'pending: held by the contract until finalized or rejected' });
  }
  for (const d of x.disputes) {
    const bond = `challenge bond, dispute ${d.d}`;
    const amount = x.challengeBond.toString();
    if (!d.resolved) rows.push({ bond, amount, to: 'held', why: 'dispute still open' });
    else if (d.winner === Side.Challenger) rows.push({ bond, amount, to: 'challenger', account: d.challenger, why: 'the challenger won: its bond back' });
    else rows.push({ bond, amount, to: 'submitter', account: x.submitter, why: 'the submitter won: the losing challenger\'s bond' });
  }
  const sources = [{ bond: subBond, amount: x.bond.toString() }, ...x.disputes.map((d) => ({ bond: `challenge bond, dispute ${d.d}`, amount: x.challengeBond.toString() }))];
  return { rows, sources, settled: open === 0 && x.status !== SubmissionStatus.Pending };
}
