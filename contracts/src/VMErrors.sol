// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The judge's errors (docs/VM.md, "Judge errors"). They are file-level so that every contract and
// library raises the same selectors. A revert means "this is not a step": any step of a RUNNING state
// with honest proofs has a defined successor (possibly TRAPPED) and never reverts.

/// @notice The pre-state fields do not hash to the pre-state hash both parties agreed on.
/// @param expected The agreed pre-state hash passed to the judge.
/// @param actual The hash of the pre-state fields that were passed.
error PreStateMismatch(bytes32 expected, bytes32 actual);

/// @notice The pre-state is HALTED (1) or TRAPPED (2); only a RUNNING state has a next step.
/// @param status The pre-state's status code.
error NotRunning(uint8 status);

/// @notice A sibling list does not have the fixed depth of its tree.
/// @param expected The tree depth (CODE_DEPTH or MEM_DEPTH).
/// @param actual The number of siblings passed.
error BadProofLength(uint256 expected, uint256 actual);

/// @notice The instruction leaf and the code siblings do not hash to the state's codeRoot
///         (wrong leaf or wrong sibling).
error InvalidCodeProof();

/// @notice The memory leaf and the memory siblings do not hash to the state's memRoot
///         (wrong leaf or wrong sibling).
error InvalidMemoryProof();

/// @notice A leaf index does not fit a tree of the given depth (index >= 2**depth), or a word lane
///         does not fit a leaf (lane >= 8, reported with depth 3).
/// @param index The offending index.
/// @param depth The depth of the tree it was meant for.
error IndexOutOfRange(uint256 index, uint256 depth);
