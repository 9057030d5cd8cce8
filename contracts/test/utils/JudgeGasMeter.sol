// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, StepProof} from "../../src/VMTypes.sol";

/// @title JudgeGasMeter
/// @notice Benchmark helper: runs one judge step and reports the gas the call consumed (execution only,
///         without the transaction's intrinsic and calldata costs). Used by `npm run bench`.
contract JudgeGasMeter {
    VMJudge public immutable judge;

    constructor(VMJudge judge_) {
        judge = judge_;
    }

    function measure(bytes32 preStateHash, VMState calldata pre, StepProof calldata proof)
        external
        view
        returns (bytes32 postStateHash, uint256 gasUsed)
    {
        uint256 before = gasleft();
        postStateHash = judge.step(preStateHash, pre, proof);
        gasUsed = before - gasleft();
    }
}
