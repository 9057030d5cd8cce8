// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Merkle} from "./Merkle.sol";
import {VMState, hashState, STATUS_HALTED} from "./VMTypes.sol";
import {BadProofLength} from "./VMErrors.sol";
import {Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {TransitionProof} from "./GameTypes.sol";
import {
    InvalidNodeProof,
    ZeroSteps,
    InputCountMismatch,
    InvalidSlotProof,
    FinalNotHalted,
    WrongStepCount,
    CodeRootMismatch,
    InvalidOutputProof,
    OutputSlotNotEmpty,
    InconsistentGraphState
} from "./GameErrors.sol";

/// @title TransitionVerifier
/// @notice The transition of docs/GAME.md ("Transition"): from the agreed graph state S_lo into node j's VM run and
///         out to the submitter's S_hi. Stateless and pure; DisputeGame deploys one and calls it from startVM.
/// @dev Order of checks: node proof, T > 0, slot proofs, memory composition, final state (status, step count,
///      program, output region), output slot (empty in S_lo, R in S_hi). Every index comes from the game (j) or
///      from the committed spec (slots, regions), never from the witness.
contract TransitionVerifier {
    /// @notice The initial and final VM state hashes of node j's run, or a revert naming the first failed check.
    /// @param m The registered model.
    /// @param j The disputed node (the converged bisection's lo).
    /// @param loState S_lo, agreed.
    /// @param hiState S_hi, the submitter's claim.
    /// @param t The submitter's witness.
    /// @return initialHash The hash of the initial state: codeRoot, composed memory, pc 0, step 0, RUNNING, zero
    ///         registers.
    /// @return finalHash hashState(t.finalState).
    function verify(Model calldata m, uint256 j, bytes32 loState, bytes32 hiState, TransitionProof calldata t)
        external
        pure
        returns (bytes32 initialHash, bytes32 finalHash)
    {
        uint256 numInputs = m.inputWords.length;
        uint256 depth = Commitments.slotDepth(numInputs + m.numNodes);
        _checkNode(m, j, t);
        initialHash = _initialVMState(t, loState, depth);
        finalHash = _finalVMState(t);
        _checkOutputSlot(numInputs + j, t, loState, hiState, depth);
    }

    /// @dev Node j's spec is the committed one.
    function _checkNode(Model calldata m, uint256 j, TransitionProof calldata t) private pure {
        uint256 depth = Commitments.nodeDepth(m.numNodes);
        // INVARIANT: the node tree has fixed depth ceil(log2 numNodes).
        if (t.nodeSiblings.length != depth) revert BadProofLength(depth, t.nodeSiblings.length);
        // INVARIANT: the VM run is node j's committed program on node j's committed layout; j comes from the game.
        if (!Merkle.verify(m.nodesRoot, Commitments.nodeLeaf(t.spec), j, t.nodeSiblings)) revert InvalidNodeProof();
        // INVARIANT: a program halts only by executing HALT, one step at least; T = 0 has no halted final state.
        if (t.spec.steps == 0) revert ZeroSteps();
    }

    /// @dev The initial VM state's hash, from the proven slot roots and the constant roots.
    function _initialVMState(TransitionProof calldata t, bytes32 loState, uint256 depth)
        private
        pure
        returns (bytes32)
    {
        uint256 n = t.spec.inputs.length;
        // INVARIANT: one root per node input, read by position; none is skipped or shared.
        if (t.slotRoots.length != n) revert InputCountMismatch(n, t.slotRoots.length);
        // INVARIANT: one proof per node input, read by position.
        if (t.slotSiblings.length != n) revert InputCountMismatch(n, t.slotSiblings.length);
        for (uint256 i = 0; i < n; i++) {
            if (!t.spec.inputs[i].fromSlot) continue;
            bytes32[] calldata siblings = t.slotSiblings[i];
            // INVARIANT: the slot tree has fixed depth D.
            if (siblings.length != depth) revert BadProofLength(depth, siblings.length);
            // INVARIANT: a run-time input is the tensor both sides agreed on in S_lo, at the committed slot.
            if (!Merkle.verify(loState, t.slotRoots[i], t.spec.inputs[i].slot, siblings)) revert InvalidSlotProof(i);
        }
        bytes32 memRoot = Commitments.composeMemory(t.spec.inputs, t.slotRoots);
        return Commitments.initialVMStateHash(t.spec.codeRoot, memRoot);
    }

    /// @dev The final VM state's hash, after checking it is a completed run of the node's program holding outRoot
    ///      at the output region.
    function _finalVMState(TransitionProof calldata t) private pure returns (bytes32) {
        VMState calldata f = t.finalState;
        // INVARIANT: the claimed run completed normally.
        if (f.status != STATUS_HALTED) revert FinalNotHalted(f.status);
        // INVARIANT: the claimed run took exactly the committed T steps, so the VM bisection spans all of it.
        if (f.step != t.spec.steps) revert WrongStepCount(t.spec.steps, f.step);
        // INVARIANT: the claimed run is of the node's program.
        if (f.codeRoot != t.spec.codeRoot) revert CodeRootMismatch(t.spec.codeRoot, f.codeRoot);
        // INVARIANT: R is what the final memory holds at the committed output region.
        if (!Commitments.verifySubtreeRoot(f.memRoot, t.outRoot, t.spec.outBase, t.spec.outHeight, t.outSiblings)) {
            revert InvalidOutputProof();
        }
        return hashState(f);
    }

    /// @dev S_hi is S_lo with R written to the node's (previously empty) output slot.
    function _checkOutputSlot(uint256 slot, TransitionProof calldata t, bytes32 loState, bytes32 hiState, uint256 depth)
        private
        pure
    {
        // INVARIANT: the slot tree has fixed depth D.
        if (t.outSlotSiblings.length != depth) revert BadProofLength(depth, t.outSlotSiblings.length);
        // INVARIANT: node j's output slot is unwritten before node j runs.
        if (!Merkle.verify(loState, bytes32(0), slot, t.outSlotSiblings)) revert OutputSlotNotEmpty(slot);
        bytes32 computed = Merkle.computeRoot(t.outRoot, slot, t.outSlotSiblings);
        // INVARIANT: S_hi differs from S_lo only in node j's output slot, which holds R.
        if (computed != hiState) revert InconsistentGraphState(hiState, computed);
    }
}
