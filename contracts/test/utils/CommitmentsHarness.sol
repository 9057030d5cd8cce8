// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Commitments} from "../../src/Commitments.sol";
import {InputRegion, NodeSpec, Model} from "../../src/ModelTypes.sol";

/// @dev Exposes the calldata-taking Commitments functions to tests.
contract CommitmentsHarness {
    function nodeLeaf(NodeSpec calldata spec) external pure returns (bytes32) {
        return Commitments.nodeLeaf(spec);
    }

    function modelId(Model calldata m) external pure returns (bytes32) {
        return Commitments.modelId(m);
    }

    function slotDepth(uint256 numSlots) external pure returns (uint256) {
        return Commitments.slotDepth(numSlots);
    }

    function initialGraphState(bytes32[] calldata inputRoots, uint256 numSlots) external pure returns (bytes32) {
        return Commitments.initialGraphState(inputRoots, numSlots);
    }

    function tensorRoot(int32[] calldata words) external pure returns (bytes32) {
        return Commitments.tensorRoot(words);
    }

    function composeMemory(InputRegion[] calldata regions, bytes32[] calldata slotRoots)
        external
        pure
        returns (bytes32)
    {
        return Commitments.composeMemory(regions, slotRoots);
    }

    function composeTree(InputRegion[] calldata regions, bytes32[] calldata slotRoots, uint256 depth)
        external
        pure
        returns (bytes32)
    {
        return Commitments.composeTree(regions, slotRoots, depth);
    }

    function verifySubtreeRoot(
        bytes32 memRoot,
        bytes32 subRoot,
        uint256 base,
        uint256 height,
        bytes32[] calldata siblings
    ) external pure returns (bool) {
        return Commitments.verifySubtreeRoot(memRoot, subRoot, base, height, siblings);
    }

    function initialVMStateHash(bytes32 codeRoot, bytes32 memRoot) external pure returns (bytes32) {
        return Commitments.initialVMStateHash(codeRoot, memRoot);
    }
}
