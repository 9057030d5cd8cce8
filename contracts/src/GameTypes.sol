// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side, ChessClock} from "./Clock.sol";
import {Bisection} from "./Bisection.sol";
import {NodeSpec, TileSpec} from "./ModelTypes.sol";
import {VMState} from "./VMTypes.sol";

// The dispute game's records (docs/GAME.md, "Submission", "A dispute", "Outcome").

/// @notice Pending: in its challenge window or under dispute. Rejected: the submitter lost a dispute.
///         Finalized: the window closed with no dispute lost and none open; the bond was credited back.
enum SubmissionStatus {
    None,
    Pending,
    Rejected,
    Finalized
}

/// @notice Graph: bisection over graph states, then the transition (startVM, or startTiles for a tiled node).
///         VM: bisection over VM states, then the step. Resolved: over (see winner and reason). Tile: bisection
///         over a tiled node's tile states, then the transition into one tile's VM run (startTileVM). Tile is
///         appended last so the other values never change.
enum Phase {
    None,
    Graph,
    VM,
    Resolved,
    Tile
}

/// @notice Why a dispute ended. Step: resolveStep ruled. Timeout: the mover's clock was spent.
enum Reason {
    None,
    Step,
    Timeout
}

/// @notice The move a dispute waits for (a view for actors; the contract derives it from phase, turn and lo/hi).
///         StartVM stands for the transition into the disputed node: startVM for an untiled node, startTiles for a
///         tiled one (the contract keeps no node specs; node lo's spec says which). StartTiles names the move in
///         reports. The tile moves are appended last so the other values never change.
enum Move {
    None,
    PostGraphState,
    RespondGraph,
    StartVM,
    PostVMState,
    RespondVM,
    ResolveStep,
    Settle,
    StartTiles,
    PostTileState,
    RespondTile,
    StartTileVM
}

/// @notice A submitted result.
/// @param submitter Who posted it and its bond.
/// @param submittedAt When; the challenge window is [submittedAt, submittedAt + challengeWindow].
/// @param status See SubmissionStatus.
/// @param openDisputes Disputes on it not yet resolved (24 bits, so that the first fields share one slot: a
///        challenge beyond 2^24 - 1 open disputes on one submission reverts).
/// @param winners Disputes on it won by their challengers; they share the forfeited bond.
/// @param modelId The registered model it claims to have run.
/// @param bond The submitter's bond.
/// @param rewardShare Once rejected and every dispute ruled: what each winning challenger is credited on top of its
///        own bond (settle).
/// @param initialState S_0, the graph state of the inputs alone, computed on-chain.
/// @param finalState S_n, the submitter's graph state after all nodes.
/// @param outputRoot tensorRoot of the posted output, proven at the model's output slot under finalState.
struct Submission {
    address submitter;
    uint64 submittedAt;
    SubmissionStatus status;
    uint24 openDisputes;
    uint24 winners;
    bytes32 modelId;
    uint256 bond;
    uint256 rewardShare;
    bytes32 initialState;
    bytes32 finalState;
    bytes32 outputRoot;
}

/// @notice One challenger's dispute of a submission (fields ordered to share storage slots: the tile fields fill
///         the second slot, after settled; only tilesRoot takes a slot of its own).
/// @param challenger Who challenged, with the game's challenge bond.
/// @param createdAt When the challenge was made (the clocks started).
/// @param node The disputed node j (set by startVM or startTiles).
/// @param submissionId The disputed submission.
/// @param phase See Phase.
/// @param winner The side credited at the end (None while open).
/// @param reason Why it ended.
/// @param settled Whether its challenger, a winner, was credited its share of the forfeited bond.
/// @param tile The disputed tile i of a tiled node (set by startTileVM).
/// @param numTiles Node j's tile count m (set by startTiles; 0 for an untiled node).
/// @param windowBase Node j's window address (set by startTiles).
/// @param windowHeight Node j's window height (set by startTiles).
/// @param clock Both sides' chess clocks and whose turn it is.
/// @param bisection The current bisection: over graph states in the graph phase, over tile states in the tile
///        phase, over VM states in the VM phase.
/// @param tilesRoot Node j's tile tree root (set by startTiles).
struct Dispute {
    address challenger;
    uint64 createdAt;
    uint32 node;
    uint64 submissionId;
    Phase phase;
    Side winner;
    Reason reason;
    bool settled;
    uint32 tile;
    uint32 numTiles;
    uint32 windowBase;
    uint8 windowHeight;
    ChessClock clock;
    Bisection bisection;
    bytes32 tilesRoot;
}

/// @notice Everything an actor needs to play its next move, as of the current block.
/// @param submissionId The disputed submission.
/// @param submitter The submitter.
/// @param challenger The challenger.
/// @param phase See Phase.
/// @param next The move the dispute waits for: Settle once resolved with the challenger's share to credit, None
///        once resolved otherwise.
/// @param turn The side whose clock runs (None once resolved).
/// @param lo The agreed position (node index in the graph phase, tile state index in the tile phase, step in the
///        VM phase).
/// @param hi The disputed position.
/// @param parts How many parts the cut of [lo, hi] has: min(arity, hi - lo), 1 once converged. Its positions are
///        p_i = lo + floor(i (hi - lo) / parts); a post gives the states at p_1 .. p_{parts-1}.
/// @param loHash The agreed hash at lo.
/// @param hiHash The submitter's hash at hi.
/// @param postedHash keccak256 of the submitter's posted states (abi.encodePacked) while the challenger has to
///        answer them (zero otherwise); the states are in the post's event.
/// @param node The disputed node (tile and VM phases).
/// @param submitterClock Seconds the submitter has left now (as of the last move once the dispute is over).
/// @param challengerClock Seconds the challenger has left now (as of the last move once the dispute is over).
/// @param deadline When the mover's clock is spent (timeout possible from then on; zero once resolved).
/// @param createdAt When the dispute began.
/// @param winner The winner once resolved.
/// @param reason Why it was resolved.
/// @param tile The disputed tile (VM phase of a tiled node).
/// @param numTiles The disputed node's tile count: 0 for an untiled node (or before the transition), else m (its
///        tile phase bisects over tile states 0 .. m, and its VM phase runs tile `tile`).
struct DisputeView {
    uint256 submissionId;
    address submitter;
    address challenger;
    Phase phase;
    Move next;
    Side turn;
    uint64 lo;
    uint64 hi;
    uint64 parts;
    bytes32 loHash;
    bytes32 hiHash;
    bytes32 postedHash;
    uint32 node;
    uint64 submitterClock;
    uint64 challengerClock;
    uint256 deadline;
    uint64 createdAt;
    Side winner;
    Reason reason;
    uint32 tile;
    uint32 numTiles;
}

/// @notice The submitter's witness for startVM (docs/GAME.md, "Transition"), for the disputed node j = lo.
/// @param spec Node j's spec.
/// @param nodeSiblings ceil(log2 numNodes) siblings proving keccak256(abi.encode(spec)) at index j under nodesRoot.
/// @param slotRoots One entry per spec.inputs entry: the slot's tensor root for a fromSlot input (ignored for a
///        constant one).
/// @param slotSiblings One entry per spec.inputs entry: D siblings proving slotRoots[i] at inputs[i].slot under
///        S_lo for a fromSlot input (ignored for a constant one).
/// @param finalState The fields of the node's final VM state: HALTED, step = spec.steps, codeRoot = spec.codeRoot.
/// @param outRoot R: the output tensor's root, the subtree of finalState.memRoot at (outBase, outHeight).
/// @param outSiblings MEM_DEPTH - outHeight siblings proving outRoot under finalState.memRoot.
/// @param outSlotSiblings D siblings of slot numInputs + j: they prove the slot empty in S_lo and give S_hi with
///        outRoot written there.
struct TransitionProof {
    NodeSpec spec;
    bytes32[] nodeSiblings;
    bytes32[] slotRoots;
    bytes32[][] slotSiblings;
    VMState finalState;
    bytes32 outRoot;
    bytes32[] outSiblings;
    bytes32[] outSlotSiblings;
}

/// @notice The submitter's witness for startTiles (docs/GAME.md, "Tiled nodes"), for the disputed node j = lo, a
///         tiled node. sigma_0 is composed here from the slot roots (as for startVM); sigma_m is the submitter's claim.
/// @param spec Node j's spec (numTiles >= 1).
/// @param nodeSiblings ceil(log2 numNodes) siblings proving keccak256(abi.encode(spec)) at index j under nodesRoot.
/// @param slotRoots One entry per spec.inputs entry, as in TransitionProof.
/// @param slotSiblings One entry per spec.inputs entry, as in TransitionProof.
/// @param finalMem sigma_m: the memory root after the last tile.
/// @param outRoot R: the output tensor's root, the subtree of finalMem at (outBase, outHeight).
/// @param outSiblings MEM_DEPTH - outHeight siblings proving outRoot under finalMem.
/// @param outSlotSiblings D siblings of slot numInputs + j: they prove the slot empty in S_lo and give S_hi with
///        outRoot written there.
struct TileEntryProof {
    NodeSpec spec;
    bytes32[] nodeSiblings;
    bytes32[] slotRoots;
    bytes32[][] slotSiblings;
    bytes32 finalMem;
    bytes32 outRoot;
    bytes32[] outSiblings;
    bytes32[] outSlotSiblings;
}

/// @notice The submitter's witness for startTileVM (docs/GAME.md, "Tiled nodes"), for the disputed tile i = lo:
///         sigma_i is agreed, sigma_{i+1} is the submitter's claim.
/// @param tile Tile i's spec.
/// @param tileSiblings ceil(log2 numTiles) siblings proving keccak256(abi.encode(tile)) at index i under tilesRoot.
/// @param window The window region's root in sigma_i (whatever the previous tile left there; zero subtree before
///        tile 0).
/// @param windowSiblings MEM_DEPTH - windowHeight siblings proving `window` under sigma_i; the same siblings give
///        mu_i, sigma_i with tile.windowRoot in the window.
/// @param finalState The tile's final VM state: HALTED, step = tile.steps, codeRoot = tile.codeRoot,
///        memRoot = sigma_{i+1}.
struct TileVMProof {
    TileSpec tile;
    bytes32[] tileSiblings;
    bytes32 window;
    bytes32[] windowSiblings;
    VMState finalState;
}
