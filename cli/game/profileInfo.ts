/**
 * The chain profiles' names and descriptions, without their parameters: what the command router shows in help
 * text, light enough (no viem) to load for `opml --help`. params.ts adds the parameters (PROFILES).
 */
export const PROFILE_INFO = [
  { name: 'l1', description: 'a 12 s-block L1: 1 h per side plus 2 min per move, a 6 h challenge window' },
  { name: 'l2', description: 'a 2 s-block L2: 15 min per side plus 30 s per move, a 2 h challenge window' },
  { name: 'devnet', description: 'a local anvil (a block per transaction, 1 s): 5 min per side plus 15 s per move, a 10 min window' },
] as const;

export type ProfileName = (typeof PROFILE_INFO)[number]['name'];
