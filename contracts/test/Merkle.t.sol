// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Merkle} from "../src/Merkle.sol";
import {IndexOutOfRange} from "../src/VMErrors.sol";

/// @dev Exposes the calldata-taking library functions to tests.
contract MerkleHarness {
    function zeroHash(uint256 level) external pure returns (bytes32) {
        return Merkle.zeroHash(level);
    }

    function computeRoot(bytes32 leaf, uint256 index, bytes32[] calldata siblings) external pure returns (bytes32) {
        return Merkle.computeRoot(leaf, index, siblings);
    }

    function verify(bytes32 root, bytes32 leaf, uint256 index, bytes32[] calldata siblings)
        external
        pure
        returns (bool)
    {
        return Merkle.verify(root, leaf, index, siblings);
    }

    function update(bytes32 oldLeaf, bytes32 newLeaf, uint256 index, bytes32[] calldata siblings)
        external
        pure
        returns (bytes32, bytes32)
    {
        return Merkle.update(oldLeaf, newLeaf, index, siblings);
    }

    function wordAt(bytes32 leaf, uint256 lane) external pure returns (int32) {
        return Merkle.wordAt(leaf, lane);
    }

    function withWord(bytes32 leaf, uint256 lane, int32 v) external pure returns (bytes32) {
        return Merkle.withWord(leaf, lane, v);
    }
}

/// @notice Checks the library against full trees built level by level in the test.
contract MerkleTest is Test {
    MerkleHarness internal h;

    function setUp() public {
        h = new MerkleHarness();
    }

    // ------------------------------------------------------------------------------------------------------
    // Naive tree
    // ------------------------------------------------------------------------------------------------------

    /// @dev levels[0] = leaves, levels[k+1][i] = keccak256(levels[k][2i] ‖ levels[k][2i+1]).
    function buildLevels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory levels) {
        uint256 depth = 0;
        while ((uint256(1) << depth) < leaves.length) depth++;
        require(uint256(1) << depth == leaves.length, "leaf count must be a power of two");
        levels = new bytes32[][](depth + 1);
        levels[0] = leaves;
        for (uint256 k = 0; k < depth; k++) {
            bytes32[] memory up = new bytes32[](levels[k].length / 2);
            for (uint256 i = 0; i < up.length; i++) {
                up[i] = keccak256(bytes.concat(levels[k][2 * i], levels[k][2 * i + 1]));
            }
            levels[k + 1] = up;
        }
    }

    function rootOf(bytes32[][] memory levels) internal pure returns (bytes32) {
        return levels[levels.length - 1][0];
    }

    /// @dev The sibling of the index's ancestor at each level, leaf level first (XOR 1 picks the other child).
    function proofOf(bytes32[][] memory levels, uint256 index) internal pure returns (bytes32[] memory siblings) {
        siblings = new bytes32[](levels.length - 1);
        for (uint256 k = 0; k < siblings.length; k++) {
            siblings[k] = levels[k][(index >> k) ^ 1];
        }
    }

    function randomLeaves(uint256 seed, uint256 depth) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](uint256(1) << depth);
        for (uint256 i = 0; i < leaves.length; i++) {
            leaves[i] = keccak256(abi.encode(seed, i));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // zeroHash
    // ------------------------------------------------------------------------------------------------------

    function test_zeroHash_chain_succeeds() public view {
        assertEq(h.zeroHash(0), bytes32(0));
        bytes32 z = 0;
        for (uint256 level = 0; level < 32; level++) {
            assertEq(h.zeroHash(level), z);
            z = keccak256(bytes.concat(z, z));
        }
        assertEq(h.zeroHash(32), z);
    }

    function test_zeroHash_isRootOfZeroTree_succeeds() public view {
        for (uint256 depth = 0; depth <= 5; depth++) {
            bytes32[][] memory levels = buildLevels(new bytes32[](uint256(1) << depth));
            assertEq(h.zeroHash(depth), rootOf(levels));
        }
    }

    function test_zeroHash_level1Constant_succeeds() public view {
        // keccak256 of 64 zero bytes.
        assertEq(h.zeroHash(1), 0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5);
    }

    // ------------------------------------------------------------------------------------------------------
    // computeRoot / verify
    // ------------------------------------------------------------------------------------------------------

    function test_computeRoot_everyLeafOfSmallTrees_succeeds() public view {
        for (uint256 depth = 0; depth <= 4; depth++) {
            bytes32[][] memory levels = buildLevels(randomLeaves(depth, depth));
            for (uint256 i = 0; i < levels[0].length; i++) {
                bytes32[] memory siblings = proofOf(levels, i);
                assertEq(h.computeRoot(levels[0][i], i, siblings), rootOf(levels));
                assertTrue(h.verify(rootOf(levels), levels[0][i], i, siblings));
            }
        }
    }

    function test_computeRoot_depthZeroIsLeaf_succeeds() public view {
        assertEq(h.computeRoot(bytes32(uint256(7)), 0, new bytes32[](0)), bytes32(uint256(7)));
    }

    function test_computeRoot_matchesNaiveTree_succeeds(uint256 seed, uint256 depth, uint256 index) public view {
        depth = bound(depth, 0, 7);
        index = bound(index, 0, (uint256(1) << depth) - 1);
        bytes32[][] memory levels = buildLevels(randomLeaves(seed, depth));
        assertEq(h.computeRoot(levels[0][index], index, proofOf(levels, index)), rootOf(levels));
    }

    function test_computeRoot_indexTooLarge_reverts(uint256 depth, uint256 index) public {
        depth = bound(depth, 0, 20);
        index = bound(index, uint256(1) << depth, type(uint256).max);
        bytes32[] memory siblings = new bytes32[](depth);
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, index, depth));
        h.computeRoot(bytes32(0), index, siblings);
    }

    function test_computeRoot_indexEqualsSize_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, 8, 3));
        h.computeRoot(bytes32(0), 8, new bytes32[](3));
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, 1, 0));
        h.computeRoot(bytes32(0), 1, new bytes32[](0));
    }

    function test_verify_wrongLeaf_succeeds(uint256 seed, uint256 index, bytes32 other) public view {
        index = bound(index, 0, 15);
        bytes32[][] memory levels = buildLevels(randomLeaves(seed, 4));
        vm.assume(other != levels[0][index]);
        assertFalse(h.verify(rootOf(levels), other, index, proofOf(levels, index)));
    }

    function test_verify_wrongSibling_succeeds(uint256 seed, uint256 index, uint256 level, bytes32 delta) public view {
        index = bound(index, 0, 15);
        level = bound(level, 0, 3);
        vm.assume(delta != 0);
        bytes32[][] memory levels = buildLevels(randomLeaves(seed, 4));
        bytes32[] memory siblings = proofOf(levels, index);
        siblings[level] ^= delta;
        assertFalse(h.verify(rootOf(levels), levels[0][index], index, siblings));
    }

    function test_verify_wrongIndex_succeeds(uint256 seed, uint256 index, uint256 otherIndex) public view {
        index = bound(index, 0, 15);
        otherIndex = bound(otherIndex, 0, 15);
        vm.assume(index != otherIndex);
        bytes32[][] memory levels = buildLevels(randomLeaves(seed, 4));
        assertFalse(h.verify(rootOf(levels), levels[0][index], otherIndex, proofOf(levels, index)));
    }

    function test_verify_wrongDepth_succeeds(uint256 seed) public view {
        // A proof one level short (or long) never reaches the same root.
        bytes32[][] memory levels = buildLevels(randomLeaves(seed, 4));
        bytes32[] memory siblings = proofOf(levels, 5);
        bytes32[] memory shorter = new bytes32[](3);
        for (uint256 k = 0; k < 3; k++) {
            shorter[k] = siblings[k];
        }
        assertFalse(h.verify(rootOf(levels), levels[0][5], 5, shorter));
    }

    // ------------------------------------------------------------------------------------------------------
    // update
    // ------------------------------------------------------------------------------------------------------

    function test_update_matchesRebuiltTree_succeeds(uint256 seed, uint256 depth, uint256 index, bytes32 newLeaf)
        public
        view
    {
        depth = bound(depth, 0, 6);
        index = bound(index, 0, (uint256(1) << depth) - 1);
        bytes32[] memory leaves = randomLeaves(seed, depth);
        bytes32[][] memory levels = buildLevels(leaves);
        bytes32 oldLeaf = leaves[index];
        bytes32[] memory siblings = proofOf(levels, index);

        (bytes32 oldRoot, bytes32 newRoot) = h.update(oldLeaf, newLeaf, index, siblings);
        assertEq(oldRoot, rootOf(levels));

        bytes32[] memory changed = randomLeaves(seed, depth);
        changed[index] = newLeaf;
        assertEq(newRoot, rootOf(buildLevels(changed)));
        assertEq(newRoot, h.computeRoot(newLeaf, index, siblings));
    }

    function test_update_indexTooLarge_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, 16, 4));
        h.update(bytes32(0), bytes32(0), 16, new bytes32[](4));
    }

    // ------------------------------------------------------------------------------------------------------
    // Words in a leaf
    // ------------------------------------------------------------------------------------------------------

    function test_wordAt_bigEndianLayout_succeeds() public view {
        bytes32 leaf = bytes32(
            abi.encodePacked(
                int32(-1),
                int32(1),
                int32(2),
                int32(-2),
                int32(type(int32).min),
                int32(type(int32).max),
                int32(0),
                int32(0x01020304)
            )
        );
        assertEq(h.wordAt(leaf, 0), -1);
        assertEq(h.wordAt(leaf, 1), 1);
        assertEq(h.wordAt(leaf, 2), 2);
        assertEq(h.wordAt(leaf, 3), -2);
        assertEq(h.wordAt(leaf, 4), type(int32).min);
        assertEq(h.wordAt(leaf, 5), type(int32).max);
        assertEq(h.wordAt(leaf, 6), 0);
        assertEq(h.wordAt(leaf, 7), 0x01020304);
        assertEq(uint8(leaf[31]), 4); // the last word's low byte is the leaf's last byte
    }

    function test_withWord_setsOnlyItsLane_succeeds(bytes32 leaf, uint256 lane, int32 v) public view {
        lane = bound(lane, 0, 7);
        bytes32 out = h.withWord(leaf, lane, v);
        for (uint256 i = 0; i < 8; i++) {
            if (i == lane) assertEq(h.wordAt(out, i), v);
            else assertEq(h.wordAt(out, i), h.wordAt(leaf, i));
        }
        // Bytes [4*lane, 4*lane + 4) hold v big-endian.
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes4 expected = bytes4(uint32(v)); // v's bit pattern
        for (uint256 b = 0; b < 4; b++) {
            assertEq(out[4 * lane + b], expected[b]);
        }
    }

    function test_withWord_roundTrip_succeeds(bytes32 leaf, uint256 lane) public view {
        lane = bound(lane, 0, 7);
        assertEq(h.withWord(leaf, lane, h.wordAt(leaf, lane)), leaf);
    }

    function test_wordAt_laneTooLarge_reverts(uint256 lane) public {
        lane = bound(lane, 8, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, lane, 3));
        h.wordAt(bytes32(0), lane);
    }

    function test_withWord_laneTooLarge_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IndexOutOfRange.selector, 8, 3));
        h.withWord(bytes32(0), 8, 1);
    }
}
