// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, StepProof} from "./VMTypes.sol";

/// @title IStepJudge
/// @notice The one thing the dispute game asks of the VM: the hash of the state after one step of an agreed
///         state. VMJudge implements it; a revert means the inputs are not a step (docs/VM.md, "One-step proof").
interface IStepJudge {
    /// @notice The hash of the state after one step of the agreed pre-state.
    /// @param preStateHash The pre-state hash both parties agreed on.
    /// @param pre The pre-state's fields; they must hash to preStateHash.
    /// @param proof The witnesses of the step.
    /// @return postStateHash hashState of the post-state.
    function step(bytes32 preStateHash, VMState calldata pre, StepProof calldata proof)
        external
        view
        returns (bytes32 postStateHash);
}
