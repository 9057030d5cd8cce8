// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Merkle} from "./Merkle.sol";
import {VMState, hashState, MEM_DEPTH, STATUS_RUNNING} from "./VMTypes.sol";
import {BadProofLength} from "./VMErrors.sol";
import {InputRegion, NodeSpec, Model} from "./ModelTypes.sol";
import {RegionMisaligned, RegionOutOfRange, RegionsOverlap, InputCountMismatch} from "./GameErrors.sol";

/// @title Commitments
/// @notice The hashes and compositions of docs/GAME.md: node leaves, model ids, graph states, a node's initial VM
///         memory and state, tensor roots. TypeScript twins: models/int/commitment.ts, models/int/roots.ts; the two
///         must agree byte for byte.
/// @dev Every tree is the Merkle scheme of docs/VM.md (Merkle.sol): raw 32-byte leaves, keccak256(left ‖ right)
///      inner nodes, zero subtrees Z[h], fixed depths. Trees whose nonzero leaves are a prefix (graph states,
///      tensors) are built from that prefix alone, pairing the last odd node with Z[h].
library Commitments {
    /// @notice The node tree's leaf of a spec: keccak256(abi.encode(spec)).
    function nodeLeaf(NodeSpec calldata spec) internal pure returns (bytes32) {
        return keccak256(abi.encode(spec));
    }

    /// @notice keccak256(abi.encode(nodesRoot, numNodes, numInputs, outputSlot)).
    function modelId(Model memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(m.nodesRoot, m.numNodes, m.numInputs, m.outputSlot));
    }

    /// @notice ceil(log2 n): the depth of a tree with n leaves; 0 for n <= 1.
    function ceilLog2(uint256 n) internal pure returns (uint256 depth) {
        while ((uint256(1) << depth) < n) depth++;
    }

    /// @notice Depth D of the slot tree (graph states) for `numSlots` slots: ceil(log2 numSlots), 0 for one slot.
    function slotDepth(uint256 numSlots) internal pure returns (uint256) {
        return ceilLog2(numSlots);
    }

    /// @notice Depth of a model's node tree: ceil(log2 numNodes), 0 for one node.
    function nodeDepth(uint256 numNodes) internal pure returns (uint256) {
        return ceilLog2(numNodes);
    }

    /// @notice S_0: the slot tree of depth slotDepth(numSlots) with input i's root at slot i and every other slot
    ///         zero.
    /// @dev Reverts InputCountMismatch(numSlots, inputRoots.length) when there are more inputs than slots.
    function initialGraphState(bytes32[] memory inputRoots, uint256 numSlots) internal pure returns (bytes32) {
        // INVARIANT: every input has a slot.
        if (inputRoots.length > numSlots) revert InputCountMismatch(numSlots, inputRoots.length);
        // A copy: _prefixRoot hashes its leaves in place, and the caller still needs the roots.
        bytes32[] memory leaves = new bytes32[](inputRoots.length);
        for (uint256 i = 0; i < leaves.length; i++) {
            leaves[i] = inputRoots[i];
        }
        return _prefixRoot(leaves, slotDepth(numSlots));
    }

    /// @notice The root of a tensor of n words: padded with zeros to P = max(8, 2^ceil(log2 n)) words; element i
    ///         is word i mod 8 (big-endian int32 at bytes [4 (i mod 8), 4 (i mod 8) + 4)) of leaf floor(i / 8); the
    ///         tree over the P / 8 leaves has depth log2(P / 8).
    /// @dev The empty tensor pads to one zero leaf: its root is zero.
    function tensorRoot(int32[] calldata words) internal pure returns (bytes32) {
        uint256 leafCount = (words.length + 7) / 8;
        bytes32[] memory leaves = new bytes32[](leafCount);
        for (uint256 i = 0; i < words.length; i++) {
            // uint32(w) is w's two's complement bit pattern, the leaf encoding; word 0 is the most significant.
            // forge-lint: disable-next-line(unsafe-typecast)
            uint256 bits = uint256(uint32(words[i])) << (32 * (7 - (i & 7)));
            leaves[i >> 3] |= bytes32(bits);
        }
        return _prefixRoot(leaves, ceilLog2(leafCount));
    }

    /// @notice A node's initial VM memory root: the depth-MEM_DEPTH tree with each input region's root placed as
    ///         the subtree at index (base / 8) / 2^height of level height, everything else zero.
    /// @param regions The node's input regions (spec.inputs).
    /// @param slotRoots One entry per region: the root of a fromSlot region (read only for those; the others use
    ///        their own constant root).
    /// @dev Reverts InputCountMismatch when slotRoots does not have one entry per region, and RegionMisaligned,
    ///      RegionOutOfRange or RegionsOverlap on a region that breaks the layout rules (docs/GAME.md: regions
    ///      are disjoint and aligned).
    function composeMemory(InputRegion[] calldata regions, bytes32[] calldata slotRoots)
        internal
        pure
        returns (bytes32)
    {
        return composeTree(regions, slotRoots, MEM_DEPTH);
    }

    /// @notice composeMemory over a tree of any depth (the memory tree has MEM_DEPTH; tests use smaller ones).
    /// @dev Starts from the placed nodes; at each level h from 0 up, first places the regions of height h (kept
    ///      sorted by index, which also detects overlaps: a region that shares memory with an earlier one meets
    ///      it, or its ancestor, at the same index), then pairs each node with its sibling (another placed node
    ///      or Z[h]) into the level above. A level never holds more nodes than there are regions.
    function composeTree(InputRegion[] calldata regions, bytes32[] calldata slotRoots, uint256 depth)
        internal
        pure
        returns (bytes32)
    {
        uint256 n = regions.length;
        // INVARIANT: each region has its own root entry; no region reads another's.
        if (slotRoots.length != n) revert InputCountMismatch(n, slotRoots.length);
        for (uint256 i = 0; i < n; i++) {
            // INVARIANT: a region is a whole subtree of the tree: height <= depth, aligned, inside the tree.
            _checkRegion(regions[i].base, regions[i].height, depth);
        }

        uint256[] memory index = new uint256[](n); // index[k] of node[k] at the current level, ascending
        bytes32[] memory node = new bytes32[](n);
        uint256 count = 0;
        bytes32 zero = 0; // Z[h]
        for (uint256 h = 0;; h++) {
            for (uint256 i = 0; i < n; i++) {
                InputRegion calldata r = regions[i];
                if (r.height != h) continue;
                bytes32 root = r.fromSlot ? slotRoots[i] : r.root;
                count = _insertSorted(index, node, count, r.base >> (3 + h), root, r.base, h);
            }
            if (h == depth) break;
            uint256 up = 0;
            for (uint256 k = 0; k < count; up++) {
                uint256 position = index[k];
                bytes32 parent;
                if (position & 1 == 1) {
                    parent = _hashPair(zero, node[k]);
                    k += 1;
                } else if (k + 1 < count && index[k + 1] == position + 1) {
                    parent = _hashPair(node[k], node[k + 1]);
                    k += 2;
                } else {
                    parent = _hashPair(node[k], zero);
                    k += 1;
                }
                index[up] = position >> 1;
                node[up] = parent;
            }
            count = up;
            zero = _hashPair(zero, zero);
        }
        return count == 0 ? zero : node[0];
    }

    /// @notice Whether `subRoot` is the subtree root at word address `base`, height `height` of the depth-MEM_DEPTH
    ///         memory tree with root `memRoot`, given the MEM_DEPTH - height siblings from that subtree up.
    /// @dev Reverts RegionOutOfRange/RegionMisaligned for a region that is not a subtree of memory, and
    ///      BadProofLength(MEM_DEPTH - height, siblings.length) for a sibling list of another length.
    function verifySubtreeRoot(
        bytes32 memRoot,
        bytes32 subRoot,
        uint256 base,
        uint256 height,
        bytes32[] calldata siblings
    ) internal pure returns (bool) {
        // INVARIANT: the region is a whole subtree of memory.
        _checkRegion(base, height, MEM_DEPTH);
        // INVARIANT: the proof's length pins the subtree's level: no inner node poses as another level's node.
        if (siblings.length != MEM_DEPTH - height) revert BadProofLength(MEM_DEPTH - height, siblings.length);
        return Merkle.computeRoot(subRoot, base >> (3 + height), siblings) == memRoot;
    }

    /// @notice The hash of a node's initial VM state: codeRoot, memRoot, pc 0, step 0, RUNNING, all registers 0.
    function initialVMStateHash(bytes32 codeRoot, bytes32 memRoot) internal pure returns (bytes32) {
        VMState memory s;
        s.codeRoot = codeRoot;
        s.memRoot = memRoot;
        s.status = STATUS_RUNNING;
        return hashState(s);
    }

    // ------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------

    /// @dev Reverts unless (base, height) is an aligned subtree of a depth-`depth` tree of 8-word leaves.
    function _checkRegion(uint256 base, uint256 height, uint256 depth) private pure {
        if (height > depth) revert RegionOutOfRange(base, height);
        if (base % (uint256(8) << height) != 0) revert RegionMisaligned(base, height);
        if (base >> (3 + height) >= uint256(1) << (depth - height)) revert RegionOutOfRange(base, height);
    }

    /// @dev Inserts (position, root) into the ascending first `count` entries of index/node; returns the new
    ///      count. Reverts RegionsOverlap(base, height) when `position` is already taken.
    function _insertSorted(
        uint256[] memory index,
        bytes32[] memory node,
        uint256 count,
        uint256 position,
        bytes32 root,
        uint256 base,
        uint256 height
    ) private pure returns (uint256) {
        uint256 k = count;
        while (k > 0 && index[k - 1] > position) {
            index[k] = index[k - 1];
            node[k] = node[k - 1];
            k--;
        }
        // INVARIANT: regions are disjoint, so no two of them (or their ancestors) meet at one index.
        if (k > 0 && index[k - 1] == position) revert RegionsOverlap(base, height);
        index[k] = position;
        node[k] = root;
        return count + 1;
    }

    /// @dev Root of the depth-`depth` tree whose leaves 0 .. leaves.length - 1 are `leaves` and the rest zero.
    ///      Overwrites `leaves` with the levels above. Requires leaves.length <= 2^depth (callers pick the depth).
    function _prefixRoot(bytes32[] memory leaves, uint256 depth) private pure returns (bytes32) {
        uint256 count = leaves.length;
        bytes32 zero = 0; // Z[h]
        for (uint256 h = 0; h < depth; h++) {
            uint256 up = (count + 1) / 2;
            for (uint256 k = 0; k < up; k++) {
                bytes32 right = 2 * k + 1 < count ? leaves[2 * k + 1] : zero;
                leaves[k] = _hashPair(leaves[2 * k], right);
            }
            count = up;
            zero = _hashPair(zero, zero);
        }
        return count == 0 ? zero : leaves[0];
    }

    /// @dev An inner node: keccak256(left ‖ right).
    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return keccak256(abi.encode(left, right));
    }
}
