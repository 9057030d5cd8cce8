/**
 * The timeline a one-dispute replay must show, by the game's rules (cli/game/types.ts MOVE_NAMES): challenge, the
 * graph rounds, the transition (start VM; on a tiled node start tiles, the tile rounds and start tile VM), the VM
 * rounds, the step and settle.
 */
export function movesByRules(rounds: { graph: number; tile: number; vm: number }, tiled: boolean): string[] {
  const round = (n: number, post: string, respond: string) => Array.from({ length: n }, () => [post, respond]).flat();
  return [
    'challenge',
    ...round(rounds.graph, 'post graph states', 'respond graph'),
    ...(tiled ? ['start tiles', ...round(rounds.tile, 'post tile states', 'respond tile'), 'start tile VM'] : ['start VM']),
    ...round(rounds.vm, 'post VM states', 'respond VM'),
    'resolve step',
    'settle',
  ];
}
