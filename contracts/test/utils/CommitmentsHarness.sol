// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Commitments} from "../../src/Commitments.sol";
import {InputRegion, NodeSpec, TileSpec, Model} from "../../src/ModelTypes.sol";

/// @dev Exposes the calldata-taking Commitments functions to tests.
contract CommitmentsHarness {
    function nodeLeaf(NodeSpec calldata spec) external pure returns (bytes32) {
        return Commitments.nodeLeaf(spec);
    }

    function tileLeaf(TileSpec calldata tile) external pure returns (bytes32) {
        return Commitments.tileLeaf(tile);
    }

    function modelId(Model memory m) external pure returns (bytes32) {
        return Commitments.modelId(m);
    }

    function slotDepth(uint256 numSlots) external pure returns (uint256) {
        return Commitments.slotDepth(numSlots);
    }

    function initialGraphState(bytes32[] calldata inputRoots, uint256 numSlots) external pure returns (bytes32) {
        return Commitments.initialGraphState(inputRoots, numSlots);
    }

    function tensorHeight(uint256 words) external pure returns (uint256) {
        return Commitments.tensorHeight(words);
    }

    function packedRoot(bytes calldata packed, uint256 height) external pure returns (bytes32) {
        return Commitments.packedRoot(packed, height);
    }

    function prefixRoot(bytes32[] memory leaves, uint256 depth) external pure returns (bytes32) {
        return Commitments.prefixRoot(leaves, depth);
    }

    function checkLayout(InputRegion[] calldata regions, uint256 depth) external pure {
        Commitments.checkLayout(regions, depth);
    }

    function checkRegion(uint256 base, uint256 height, uint256 depth) external pure {
        Commitments.checkRegion(base, height, depth);
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
