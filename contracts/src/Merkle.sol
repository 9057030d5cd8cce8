// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IndexOutOfRange} from "./VMErrors.sol";

/// @title Merkle
/// @notice The one Merkle scheme of opml (docs/VM.md, "Merkle scheme"), plus word access inside a leaf.
/// @dev A leaf is 32 raw bytes holding 8 big-endian int32 words (it is not hashed); an inner node is
///      keccak256(left ‖ right). A proof for leaf `index` of a depth-d tree is the d sibling hashes from the
///      leaf level up, and bit h of `index` is 1 when the node at level h is a right child. The depth is
///      always the length of the sibling list: callers that know their tree's depth check that length.
library Merkle {
    /// @notice Words per leaf.
    uint256 internal constant WORDS_PER_LEAF = 8;

    /// @notice Root of an all-zero subtree of height `level`: Z[0] = 0, Z[h+1] = keccak256(Z[h] ‖ Z[h]).
    /// @dev Computed with `level` hashes; defined for every level.
    function zeroHash(uint256 level) internal pure returns (bytes32 z) {
        for (uint256 h = 0; h < level; h++) {
            z = _hashPair(z, z);
        }
    }

    /// @notice The root of the depth-`siblings.length` tree in which `leaf` sits at `index`.
    /// @dev Reverts IndexOutOfRange(index, depth) when index >= 2**depth (for depth >= 256 every index fits).
    function computeRoot(bytes32 leaf, uint256 index, bytes32[] calldata siblings)
        internal
        pure
        returns (bytes32 node)
    {
        uint256 depth = siblings.length;
        // INVARIANT: the index addresses a leaf of this depth, so no high bit of it is silently ignored.
        if (index >> depth != 0) revert IndexOutOfRange(index, depth);
        node = leaf;
        for (uint256 h = 0; h < depth; h++) {
            node = (index >> h) & 1 == 0 ? _hashPair(node, siblings[h]) : _hashPair(siblings[h], node);
        }
    }

    /// @notice Whether `leaf` sits at `index` under `root`, given its siblings.
    /// @dev Reverts IndexOutOfRange like computeRoot; any other mismatch returns false.
    function verify(bytes32 root, bytes32 leaf, uint256 index, bytes32[] calldata siblings)
        internal
        pure
        returns (bool)
    {
        return computeRoot(leaf, index, siblings) == root;
    }

    /// @notice Replaces the leaf at `index`: the roots before and after, from one walk up the same siblings.
    /// @dev The caller compares `oldRoot` to the root it trusts before accepting `newRoot`.
    ///      Reverts IndexOutOfRange like computeRoot.
    function update(bytes32 oldLeaf, bytes32 newLeaf, uint256 index, bytes32[] calldata siblings)
        internal
        pure
        returns (bytes32 oldRoot, bytes32 newRoot)
    {
        uint256 depth = siblings.length;
        // INVARIANT: the index addresses a leaf of this depth (as in computeRoot).
        if (index >> depth != 0) revert IndexOutOfRange(index, depth);
        oldRoot = oldLeaf;
        newRoot = newLeaf;
        for (uint256 h = 0; h < depth; h++) {
            bytes32 sibling = siblings[h];
            if ((index >> h) & 1 == 0) {
                oldRoot = _hashPair(oldRoot, sibling);
                newRoot = _hashPair(newRoot, sibling);
            } else {
                oldRoot = _hashPair(sibling, oldRoot);
                newRoot = _hashPair(sibling, newRoot);
            }
        }
    }

    /// @notice Word `lane` (0..7) of a leaf: the big-endian int32 at bytes [4*lane, 4*lane + 4).
    /// @dev Reverts IndexOutOfRange(lane, 3) when lane >= 8 (a leaf is a depth-3 tree of words).
    function wordAt(bytes32 leaf, uint256 lane) internal pure returns (int32) {
        // INVARIANT: the lane is one of the leaf's 8 words.
        if (lane >= WORDS_PER_LEAF) revert IndexOutOfRange(lane, 3);
        return int32(uint32(uint256(leaf) >> _laneShift(lane)));
    }

    /// @notice The leaf with word `lane` (0..7) replaced by `v`, the other 7 words unchanged.
    /// @dev Reverts IndexOutOfRange(lane, 3) when lane >= 8.
    function withWord(bytes32 leaf, uint256 lane, int32 v) internal pure returns (bytes32) {
        // INVARIANT: the lane is one of the leaf's 8 words.
        if (lane >= WORDS_PER_LEAF) revert IndexOutOfRange(lane, 3);
        uint256 shift = _laneShift(lane);
        uint256 cleared = uint256(leaf) & ~(uint256(type(uint32).max) << shift);
        // uint32(v) is v's two's complement bit pattern: the leaf encoding.
        // forge-lint: disable-next-line(unsafe-typecast)
        return bytes32(cleared | (uint256(uint32(v)) << shift));
    }

    /// @dev Bit offset of word `lane` from the low end of the leaf: word 0 is the most significant.
    function _laneShift(uint256 lane) private pure returns (uint256) {
        return 32 * (WORDS_PER_LEAF - 1 - lane);
    }

    /// @dev An inner node: keccak256(left ‖ right).
    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return keccak256(abi.encode(left, right));
    }
}
