// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Merkle} from "./Merkle.sol";
import {VMState, hashState, MEM_DEPTH, STATUS_RUNNING} from "./VMTypes.sol";
import {BadProofLength} from "./VMErrors.sol";
import {InputRegion, NodeSpec, TileSpec, Model} from "./ModelTypes.sol";
import {
    RegionMisaligned,
    RegionOutOfRange,
    RegionsOverlap,
    InputCountMismatch,
    PackedWordsMalformed
} from "./GameErrors.sol";

/// @title Commitments
/// @notice The hashes and compositions of docs/GAME.md: node and tile leaves, model ids, graph states, a node's initial VM
///         memory and state, tensor roots. TypeScript twins: models/int/commitment.ts, models/int/roots.ts; the two
///         must agree byte for byte.
/// @dev Every tree is the Merkle scheme of docs/VM.md (Merkle.sol): raw 32-byte leaves, keccak256(left ‖ right)
///      inner nodes, zero subtrees Z[h], fixed depths. Trees whose nonzero leaves are a prefix (graph states,
///      tensors, node trees) are built from that prefix alone, pairing the last odd node with Z[h].
library Commitments {
    /// @notice The node tree's leaf of a spec: keccak256(abi.encode(spec)).
    function nodeLeaf(NodeSpec calldata spec) internal pure returns (bytes32) {
        return keccak256(abi.encode(spec));
    }

    /// @notice A tiled node's tile tree leaf of a tile: keccak256(abi.encode(tile)).
    function tileLeaf(TileSpec calldata tile) internal pure returns (bytes32) {
        return keccak256(abi.encode(tile));
    }

    /// @notice keccak256(abi.encode(nodesRoot, numNodes, outputSlot, outputWords, inputWords)).
    function modelId(Model memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(m.nodesRoot, m.numNodes, m.outputSlot, m.outputWords, m.inputWords));
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

    /// @notice The tree height of a tensor of `words` words: ceil(log2 ceil(words / 8)), 0 up to 8 words. Its
    ///         root is over P = 8 * 2^height words, the tensor's words followed by zeros.
    function tensorHeight(uint256 words) internal pure returns (uint256) {
        return ceilLog2((words + 7) / 8);
    }

    /// @notice S_0: the slot tree of depth slotDepth(numSlots) with input i's root at slot i and every other slot
    ///         zero.
    /// @dev Reverts InputCountMismatch(numSlots, inputRoots.length) when there are more inputs than slots.
    function initialGraphState(bytes32[] memory inputRoots, uint256 numSlots) internal pure returns (bytes32) {
        // INVARIANT: every input has a slot.
        if (inputRoots.length > numSlots) revert InputCountMismatch(numSlots, inputRoots.length);
        // A copy: prefixRoot hashes its leaves in place, and the caller still needs the roots.
        bytes32[] memory leaves = new bytes32[](inputRoots.length);
        for (uint256 i = 0; i < leaves.length; i++) {
            leaves[i] = inputRoots[i];
        }
        return prefixRoot(leaves, slotDepth(numSlots));
    }

    /// @notice The root, at height `height`, of the words packed in `packed`: 4 bytes per word, big-endian two's
    ///         complement, word 0 first. Such a string read 32 bytes at a time IS the leaves (docs/VM.md: word
    ///         i mod 8 of leaf floor(i / 8) is bytes [4 (i mod 8), 4 (i mod 8) + 4)); the last leaf is padded with
    ///         zero words, and so is the tree up to 2^height leaves.
    /// @dev Reverts PackedWordsMalformed when the length is not a multiple of 4 or the words do not fit 2^height
    ///      leaves. The empty string is the zero tree.
    function packedRoot(bytes calldata packed, uint256 height) internal pure returns (bytes32) {
        uint256 len = packed.length;
        // INVARIANT: whole words only, and no more of them than the tree holds: the height pins the word count's
        // range, so no other tree shape can spell the same root.
        if (len % 4 != 0 || len > uint256(32) << height) revert PackedWordsMalformed(len, height);
        // The leaves are the string itself, 32 bytes at a time: one copy into zeroed memory leaves the last leaf
        // zero-padded.
        bytes32[] memory leaves = new bytes32[]((len + 31) / 32);
        assembly ("memory-safe") {
            calldatacopy(add(leaves, 32), packed.offset, len)
        }
        return prefixRoot(leaves, height);
    }

    /// @notice A node's initial VM memory root: the depth-MEM_DEPTH tree with each input region's root placed as
    ///         the subtree at index (base / 8) / 2^height of level height, everything else zero.
    /// @param regions The node's input regions (spec.inputs): sorted by base, aligned, inside memory, disjoint
    ///        (registration refuses a spec that is not; ModelRegistry.register).
    /// @param slotRoots One entry per region: the root of a fromSlot region (read only for those; the others use
    ///        their own constant root).
    function composeMemory(InputRegion[] calldata regions, bytes32[] calldata slotRoots)
        internal
        pure
        returns (bytes32)
    {
        return composeTree(regions, slotRoots, MEM_DEPTH);
    }

    /// @notice composeMemory over a tree of any depth (the memory tree has MEM_DEPTH; tests use smaller ones).
    /// @dev One pass over the sorted regions: the root of a subtree is Z[h] when no region falls in it, the
    ///      region's root when one region fills it, else the hash of its halves, each composed from the regions on
    ///      its side. Each level visits at most one node per region, so the cost is O(regions * depth) hashes,
    ///      never quadratic. Reverts InputCountMismatch without one root entry per region, and
    ///      RegionMisaligned/RegionsOverlap where the layout rules are broken.
    function composeTree(InputRegion[] calldata regions, bytes32[] calldata slotRoots, uint256 depth)
        internal
        pure
        returns (bytes32)
    {
        uint256 n = regions.length;
        // INVARIANT: each region has its own root entry; no region reads another's.
        if (slotRoots.length != n) revert InputCountMismatch(n, slotRoots.length);
        bytes32[] memory zeros = new bytes32[](depth + 1);
        for (uint256 h = 0; h < depth; h++) {
            zeros[h + 1] = _hashPair(zeros[h], zeros[h]);
        }
        // INVARIANT: the regions form a valid layout (registration checked it already; this costs one pass).
        checkLayout(regions, depth);
        uint256[] memory places = new uint256[](n); // base << 8 | height
        bytes32[] memory roots = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            places[i] = (uint256(regions[i].base) << 8) | regions[i].height;
            roots[i] = regions[i].fromSlot ? slotRoots[i] : regions[i].root;
        }
        return _compose(places, roots, zeros, 0, n, depth, 0);
    }

    /// @notice Reverts unless `regions` is a valid layout of a depth-`depth` tree: each region aligned and inside
    ///         it, sorted by base, no two sharing a word. Registration checks every node spec with it.
    function checkLayout(InputRegion[] calldata regions, uint256 depth) internal pure {
        uint256 end = 0; // first word after the previous region
        for (uint256 i = 0; i < regions.length; i++) {
            uint256 base = regions[i].base;
            uint256 height = regions[i].height;
            // INVARIANT: a region is a whole subtree of the tree: height <= depth, aligned, inside the tree.
            checkRegion(base, height, depth);
            // INVARIANT: regions are sorted and disjoint, so composition is one pass and no root hides another.
            if (base < end) revert RegionsOverlap(base, height);
            end = base + (uint256(8) << height);
        }
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
        checkRegion(base, height, MEM_DEPTH);
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

    /// @notice Root of the depth-`depth` tree whose leaves 0 .. leaves.length - 1 are `leaves` and the rest zero.
    /// @dev Overwrites `leaves` with the levels above. Requires leaves.length <= 2^depth (callers pick the depth).
    function prefixRoot(bytes32[] memory leaves, uint256 depth) internal pure returns (bytes32) {
        return prefixRoot(leaves, depth, 0);
    }

    /// @notice prefixRoot over subtree roots of some height h: the missing leaves are `zero` = Z[h], the root of an
    ///         all-zero subtree of that height (so the result is the root at height h + depth of the whole tree).
    /// @dev In assembly, hashing in scratch space (no allocation per node): a full 8192-word input chunk's tree
    ///      costs ~0.2M gas here where the checked loop cost ~0.9M.
    function prefixRoot(bytes32[] memory leaves, uint256 depth, bytes32 zero) internal pure returns (bytes32 root) {
        assembly ("memory-safe") {
            let count := mload(leaves)
            let first := add(leaves, 32)
            for { let h := 0 } lt(h, depth) { h := add(h, 1) } {
                let up := shr(1, add(count, 1))
                for { let k := 0 } lt(k, up) { k := add(k, 1) } {
                    let left := add(first, shl(6, k))
                    mstore(0, mload(left))
                    mstore(32, zero)
                    if lt(add(shl(1, k), 1), count) { mstore(32, mload(add(left, 32))) }
                    mstore(add(first, shl(5, k)), keccak256(0, 64))
                }
                count := up
                mstore(0, zero)
                mstore(32, zero)
                zero := keccak256(0, 64)
            }
            root := zero
            if count { root := mload(first) }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------

    /// @dev The root of the subtree at (level, index) from regions [lo, hi) (places: base << 8 | height, sorted by
    ///      base), which all lie inside it.
    function _compose(
        uint256[] memory places,
        bytes32[] memory roots,
        bytes32[] memory zeros,
        uint256 lo,
        uint256 hi,
        uint256 level,
        uint256 index
    ) private pure returns (bytes32) {
        if (lo == hi) return zeros[level];
        uint256 height = places[lo] & 0xff;
        if (height >= level) {
            // INVARIANT: a region is aligned to its own size, so the first region of a subtree as high as itself
            // starts it: it fills the subtree alone.
            if (height > level || places[lo] >> 8 != index << (3 + level)) {
                revert RegionMisaligned(places[lo] >> 8, height);
            }
            // INVARIANT: regions are disjoint: nothing else lies inside a region's subtree.
            if (hi - lo != 1) revert RegionsOverlap(places[lo + 1] >> 8, places[lo + 1] & 0xff);
            return roots[lo];
        }
        uint256 m = lo;
        // The right child's first word address is (2 index + 1) << (level + 2).
        while (m < hi && places[m] >> 8 < (2 * index + 1) << (level + 2)) m++;
        return _hashPair(
            _compose(places, roots, zeros, lo, m, level - 1, 2 * index),
            _compose(places, roots, zeros, m, hi, level - 1, 2 * index + 1)
        );
    }

    /// @notice Reverts unless (base, height) is an aligned subtree of a depth-`depth` tree of 8-word leaves
    ///         (RegionOutOfRange, RegionMisaligned).
    function checkRegion(uint256 base, uint256 height, uint256 depth) internal pure {
        if (height > depth) revert RegionOutOfRange(base, height);
        if (base % (uint256(8) << height) != 0) revert RegionMisaligned(base, height);
        if (base >> (3 + height) >= uint256(1) << (depth - height)) revert RegionOutOfRange(base, height);
    }

    /// @dev An inner node: keccak256(left ‖ right), hashed in scratch space (no memory allocated).
    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            mstore(0, left)
            mstore(32, right)
            node := keccak256(0, 64)
        }
    }
}
