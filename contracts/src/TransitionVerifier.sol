// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Merkle} from "./Merkle.sol";
import {VMState, hashState, MEM_DEPTH, STATUS_HALTED} from "./VMTypes.sol";
import {BadProofLength} from "./VMErrors.sol";
import {InputRegion, NodeSpec, Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {TransitionProof, TileEntryProof, TileVMProof} from "./GameTypes.sol";
import {
    InvalidNodeProof,
    ZeroSteps,
    ModelTooLarge,
    InputCountMismatch,
    InvalidSlotProof,
    FinalNotHalted,
    WrongStepCount,
    CodeRootMismatch,
    InvalidOutputProof,
    OutputSlotNotEmpty,
    InconsistentGraphState,
    NodeTiled,
    NodeNotTiled,
    InvalidTileProof,
    InvalidWindowProof,
    FinalMemoryMismatch
} from "./GameErrors.sol";

/// @title TransitionVerifier
/// @notice The transitions of docs/GAME.md: from the agreed graph state S_lo into node j's VM run and out to the
///         submitter's S_hi ("Transition", startVM); from S_lo into a tiled node's tile states and out to S_hi
///         (startTiles); and from the agreed tile state sigma_i into tile i's VM run and out to the submitter's
///         sigma_{i+1} (startTileVM). Stateless and pure; DisputeGame deploys one and calls it from those moves.
/// @dev Every index comes from the game (j, i) or from the committed spec (slots, regions, window), never from the
///      witness. DisputeGame forwards each witness to these functions as it came in the move's calldata, so the
///      witness is the last parameter of each.
contract TransitionVerifier {
    /// @notice At most this many VM steps per tile, as per untiled node (ModelValidator.MAX_STEPS): the VM
    ///         bisection of a tile has at most 40 rounds.
    uint256 public constant MAX_TILE_STEPS = 1 << 40;

    // ======================================================================================================
    // startVM: an untiled node
    // ======================================================================================================

    /// @notice The initial and final VM state hashes of node j's run, or a revert naming the first failed check.
    ///         Order of checks: node proof, untiled, T > 0, slot proofs, memory composition, final state (status,
    ///         step count, program, output region), output slot (empty in S_lo, R in S_hi).
    /// @param m The registered model.
    /// @param j The disputed node (the converged bisection's lo).
    /// @param loState S_lo, agreed.
    /// @param hiState S_hi, the submitter's claim.
    /// @param t The submitter's witness.
    /// @return initialHash The hash of the initial state: codeRoot, composed memory, pc 0, step 0, RUNNING, zero
    ///         registers.
    /// @return finalHash hashState(t.finalState).
    /// @return steps T = t.spec.steps, the VM bisection's length.
    function verify(Model calldata m, uint256 j, bytes32 loState, bytes32 hiState, TransitionProof calldata t)
        external
        pure
        returns (bytes32 initialHash, bytes32 finalHash, uint64 steps)
    {
        NodeSpec calldata spec = t.spec;
        uint256 depth = _checkNode(m, j, spec, t.nodeSiblings);
        // INVARIANT: a node is played at the level its commitment says: a tiled node's run is its tiles'
        // (startTiles), never one program.
        if (spec.numTiles != 0) revert NodeTiled(j);
        steps = spec.steps;
        // INVARIANT: a program halts only by executing HALT, one step at least; T = 0 has no halted final state.
        if (steps == 0) revert ZeroSteps();
        bytes32 memRoot = _initialMemory(spec, t.slotRoots, t.slotSiblings, loState, depth);
        initialHash = Commitments.initialVMStateHash(spec.codeRoot, memRoot);
        VMState calldata f = t.finalState;
        finalHash = _finalVMState(f, steps, spec.codeRoot);
        // INVARIANT: R is what the final memory holds at the committed output region.
        if (!Commitments.verifySubtreeRoot(f.memRoot, t.outRoot, spec.outBase, spec.outHeight, t.outSiblings)) {
            revert InvalidOutputProof();
        }
        _checkOutputSlot(m.inputWords.length + j, t.outRoot, t.outSlotSiblings, loState, hiState, depth);
    }

    // ======================================================================================================
    // startTiles: a tiled node
    // ======================================================================================================

    /// @notice sigma_0 and sigma_m of tiled node j and what the tile phase needs from its spec, or a revert naming
    ///         the first failed check. Order of checks: node proof, tiled, slot proofs, memory composition, R in
    ///         sigma_m at the output region, output slot (empty in S_lo, R in S_hi).
    /// @param m The registered model.
    /// @param j The disputed node (the converged bisection's lo).
    /// @param loState S_lo, agreed.
    /// @param hiState S_hi, the submitter's claim.
    /// @param t The submitter's witness.
    /// @return initialMem sigma_0: node j's initial memory, composed from its input regions (the window is zero).
    /// @return finalMem sigma_m = t.finalMem, the submitter's memory after the last tile.
    /// @return numTiles m, the tile bisection's length.
    /// @return tilesRoot The node's tile tree root.
    /// @return windowBase The node's window address.
    /// @return windowHeight The node's window height.
    function verifyTiles(Model calldata m, uint256 j, bytes32 loState, bytes32 hiState, TileEntryProof calldata t)
        external
        pure
        returns (
            bytes32 initialMem,
            bytes32 finalMem,
            uint32 numTiles,
            bytes32 tilesRoot,
            uint32 windowBase,
            uint8 windowHeight
        )
    {
        initialMem = _enterTiles(m, j, loState, hiState, t);
        finalMem = t.finalMem;
        NodeSpec calldata spec = t.spec;
        numTiles = spec.numTiles;
        tilesRoot = spec.tilesRoot;
        windowBase = spec.windowBase;
        windowHeight = spec.windowHeight;
    }

    /// @dev verifyTiles' checks; returns sigma_0.
    function _enterTiles(Model calldata m, uint256 j, bytes32 loState, bytes32 hiState, TileEntryProof calldata t)
        private
        pure
        returns (bytes32 initialMem)
    {
        NodeSpec calldata spec = t.spec;
        uint256 depth = _checkNode(m, j, spec, t.nodeSiblings);
        // INVARIANT: a node is played at the level its commitment says: an untiled node's run is one program
        // (startVM), never tiles.
        if (spec.numTiles == 0) revert NodeNotTiled(j);
        // INVARIANT: sigma_0 is computed here from roots in the agreed S_lo and the model's constant roots, exactly
        // as an untiled node's initial memory (registration keeps the window clear of every input region).
        initialMem = _initialMemory(spec, t.slotRoots, t.slotSiblings, loState, depth);
        // INVARIANT: R is what the submitter's sigma_m holds at the committed output region.
        if (!Commitments.verifySubtreeRoot(t.finalMem, t.outRoot, spec.outBase, spec.outHeight, t.outSiblings)) {
            revert InvalidOutputProof();
        }
        _checkOutputSlot(m.inputWords.length + j, t.outRoot, t.outSlotSiblings, loState, hiState, depth);
    }

    // ======================================================================================================
    // startTileVM: one tile of a tiled node
    // ======================================================================================================

    /// @notice The initial and final VM state hashes of tile i's run, or a revert naming the first failed check.
    ///         Order of checks: tile proof, 1 <= steps <= MAX_TILE_STEPS, window proof in sigma_i, final state
    ///         (status, step count, program), final memory = sigma_{i+1}.
    /// @param tilesRoot The node's tile tree root (as startTiles proved it).
    /// @param numTiles The node's tile count m.
    /// @param windowBase The node's window address.
    /// @param windowHeight The node's window height.
    /// @param i The disputed tile (the converged tile bisection's lo).
    /// @param loState sigma_i, agreed.
    /// @param hiState sigma_{i+1}, the submitter's claim.
    /// @param t The submitter's witness.
    /// @return initialHash The hash of tile i's initial state: its codeRoot, mu_i (sigma_i with the tile's window
    ///         root in the window), pc 0, step 0, RUNNING, zero registers.
    /// @return finalHash hashState(t.finalState).
    /// @return steps The tile's step count, the VM bisection's length.
    function verifyTileVM(
        bytes32 tilesRoot,
        uint256 numTiles,
        uint256 windowBase,
        uint256 windowHeight,
        uint256 i,
        bytes32 loState,
        bytes32 hiState,
        TileVMProof calldata t
    ) external pure returns (bytes32 initialHash, bytes32 finalHash, uint64 steps) {
        steps = _checkTile(tilesRoot, numTiles, i, t);
        bytes32 mu = _tileMemory(windowBase, windowHeight, loState, t);
        initialHash = Commitments.initialVMStateHash(t.tile.codeRoot, mu);
        VMState calldata f = t.finalState;
        finalHash = _finalVMState(f, steps, t.tile.codeRoot);
        // INVARIANT: the tile's run ends in exactly the submitter's sigma_{i+1}, so a wrong sigma_{i+1} is a wrong
        // VM run, which the VM bisection and the judge expose.
        if (f.memRoot != hiState) revert FinalMemoryMismatch(hiState, f.memRoot);
    }

    /// @dev Tile i's spec is the committed one, with a step count the VM bisection can play; returns it.
    function _checkTile(bytes32 tilesRoot, uint256 numTiles, uint256 i, TileVMProof calldata t)
        private
        pure
        returns (uint64 steps)
    {
        uint256 depth = Commitments.ceilLog2(numTiles);
        // INVARIANT: the tile tree has fixed depth ceil(log2 numTiles).
        if (t.tileSiblings.length != depth) revert BadProofLength(depth, t.tileSiblings.length);
        // INVARIANT: the VM run is tile i's committed program with tile i's committed constants; i comes from the
        // game (i < numTiles), so no tile past the node's last is ever opened.
        if (!Merkle.verify(tilesRoot, Commitments.tileLeaf(t.tile), i, t.tileSiblings)) revert InvalidTileProof();
        steps = t.tile.steps;
        // INVARIANT: a program halts only by executing HALT, one step at least; T = 0 has no halted final state.
        if (steps == 0) revert ZeroSteps();
        // INVARIANT: the VM bisection of a tile has bounded depth (registration cannot see tiles: a tile beyond it
        // can never be played, which only hurts the model's own submitters).
        if (steps > MAX_TILE_STEPS) revert ModelTooLarge("tile steps", steps, MAX_TILE_STEPS);
    }

    /// @dev mu_i: the agreed sigma_i with tile i's constants in the window.
    function _tileMemory(uint256 windowBase, uint256 windowHeight, bytes32 loState, TileVMProof calldata t)
        private
        pure
        returns (bytes32 mu)
    {
        // INVARIANT: the window proof's length pins the window's level (registration checked the region itself).
        uint256 levels = MEM_DEPTH - windowHeight;
        if (t.windowSiblings.length != levels) revert BadProofLength(levels, t.windowSiblings.length);
        // INVARIANT: mu_i is computed here from the agreed sigma_i and the committed tile: the siblings must give
        // sigma_i with whatever the window holds there, and the same siblings give mu_i with the tile's constants
        // in the window. Every word of mu_i can then be opened by the honest side: sigma_i was composed here from
        // agreed roots or is a state the honest side computed itself, and windowRoot is a constant of the model.
        bytes32 sigma;
        (sigma, mu) = Merkle.update(t.window, t.tile.windowRoot, windowBase >> (3 + windowHeight), t.windowSiblings);
        if (sigma != loState) revert InvalidWindowProof();
    }

    // ======================================================================================================
    // Shared checks
    // ======================================================================================================

    /// @dev Node j's spec is the committed one; returns the slot tree's depth D.
    function _checkNode(Model calldata m, uint256 j, NodeSpec calldata spec, bytes32[] calldata siblings)
        private
        pure
        returns (uint256)
    {
        uint256 depth = Commitments.nodeDepth(m.numNodes);
        // INVARIANT: the node tree has fixed depth ceil(log2 numNodes).
        if (siblings.length != depth) revert BadProofLength(depth, siblings.length);
        // INVARIANT: the run is node j's committed program (or tiles) on node j's committed layout; j comes from
        // the game.
        if (!Merkle.verify(m.nodesRoot, Commitments.nodeLeaf(spec), j, siblings)) revert InvalidNodeProof();
        return Commitments.slotDepth(m.inputWords.length + m.numNodes);
    }

    /// @dev Node j's initial memory root, from the proven slot roots and the constant roots.
    function _initialMemory(
        NodeSpec calldata spec,
        bytes32[] calldata slotRoots,
        bytes32[][] calldata slotSiblings,
        bytes32 loState,
        uint256 depth
    ) private pure returns (bytes32) {
        InputRegion[] calldata inputs = spec.inputs;
        uint256 n = inputs.length;
        // INVARIANT: one root per node input, read by position; none is skipped or shared.
        if (slotRoots.length != n) revert InputCountMismatch(n, slotRoots.length);
        // INVARIANT: one proof per node input, read by position.
        if (slotSiblings.length != n) revert InputCountMismatch(n, slotSiblings.length);
        for (uint256 i = 0; i < n; i++) {
            if (!inputs[i].fromSlot) continue;
            bytes32[] calldata siblings = slotSiblings[i];
            // INVARIANT: the slot tree has fixed depth D.
            if (siblings.length != depth) revert BadProofLength(depth, siblings.length);
            // INVARIANT: a run-time input is the tensor both sides agreed on in S_lo, at the committed slot.
            if (!Merkle.verify(loState, slotRoots[i], inputs[i].slot, siblings)) revert InvalidSlotProof(i);
        }
        return Commitments.composeMemory(inputs, slotRoots);
    }

    /// @dev The final VM state's hash, after checking it is a completed run of `codeRoot` of exactly `steps` steps.
    function _finalVMState(VMState calldata f, uint64 steps, bytes32 codeRoot) private pure returns (bytes32) {
        // INVARIANT: the claimed run completed normally.
        if (f.status != STATUS_HALTED) revert FinalNotHalted(f.status);
        // INVARIANT: the claimed run took exactly the committed steps, so the VM bisection spans all of it.
        if (f.step != steps) revert WrongStepCount(steps, f.step);
        // INVARIANT: the claimed run is of the committed program.
        if (f.codeRoot != codeRoot) revert CodeRootMismatch(codeRoot, f.codeRoot);
        return hashState(f);
    }

    /// @dev S_hi is S_lo with R written to the node's (previously empty) output slot.
    function _checkOutputSlot(
        uint256 slot,
        bytes32 outRoot,
        bytes32[] calldata siblings,
        bytes32 loState,
        bytes32 hiState,
        uint256 depth
    ) private pure {
        // INVARIANT: the slot tree has fixed depth D.
        if (siblings.length != depth) revert BadProofLength(depth, siblings.length);
        // INVARIANT: node j's output slot is unwritten before node j runs.
        if (!Merkle.verify(loState, bytes32(0), slot, siblings)) revert OutputSlotNotEmpty(slot);
        bytes32 computed = Merkle.computeRoot(outRoot, slot, siblings);
        // INVARIANT: S_hi differs from S_lo only in node j's output slot, which holds R.
        if (computed != hiState) revert InconsistentGraphState(hiState, computed);
    }
}
