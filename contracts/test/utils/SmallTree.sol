// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SmallTree
/// @notice Naive reference trees for tests: a fixed-depth tree whose nonzero leaves are a short prefix, built level
///         by level in full over that prefix (2^m leaves, m = ceil(log2 length)) and completed with zero subtrees
///         above. Independent of the contracts' code (no shared helper), so it can check them.
library SmallTree {
    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return keccak256(bytes.concat(left, right));
    }

    /// @dev Z[h].
    function zero(uint256 h) internal pure returns (bytes32 z) {
        for (uint256 i = 0; i < h; i++) {
            z = hashPair(z, z);
        }
    }

    function ceilLog2(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) d++;
    }

    /// @dev levels[0] = leaves padded with zeros to 2^m, levels[k + 1][i] = hash(levels[k][2i], levels[k][2i + 1]).
    function levels(bytes32[] memory leaves) internal pure returns (bytes32[][] memory lv) {
        uint256 m = ceilLog2(leaves.length);
        lv = new bytes32[][](m + 1);
        lv[0] = new bytes32[](uint256(1) << m);
        for (uint256 i = 0; i < leaves.length; i++) {
            lv[0][i] = leaves[i];
        }
        for (uint256 k = 0; k < m; k++) {
            bytes32[] memory up = new bytes32[](lv[k].length / 2);
            for (uint256 i = 0; i < up.length; i++) {
                up[i] = hashPair(lv[k][2 * i], lv[k][2 * i + 1]);
            }
            lv[k + 1] = up;
        }
    }

    /// @dev Root of the depth-`depth` tree with `leaves` first and zeros after.
    function root(bytes32[] memory leaves, uint256 depth) internal pure returns (bytes32 node) {
        bytes32[][] memory lv = levels(leaves);
        uint256 m = lv.length - 1;
        require(m <= depth, "SmallTree: too many leaves for the depth");
        node = lv[m][0];
        bytes32 z = zero(m);
        for (uint256 h = m; h < depth; h++) {
            node = hashPair(node, z);
            z = hashPair(z, z);
        }
    }

    /// @dev The `depth` siblings of leaf `index` (any index below 2^depth) in that tree.
    function proof(bytes32[] memory leaves, uint256 index, uint256 depth)
        internal
        pure
        returns (bytes32[] memory siblings)
    {
        return proofFromLevels(levels(leaves), index, depth);
    }

    /// @dev proof() over levels already built with levels() (to reuse them for many leaves of one tree).
    function proofFromLevels(bytes32[][] memory lv, uint256 index, uint256 depth)
        internal
        pure
        returns (bytes32[] memory siblings)
    {
        require(depth >= 256 || index >> depth == 0, "SmallTree: index out of range");
        uint256 m = lv.length - 1;
        require(m <= depth, "SmallTree: too many leaves for the depth");
        siblings = new bytes32[](depth);
        bytes32 z = 0; // Z[h]
        bytes32 prefix = lv[m][0]; // root of the prefix block folded up to level h (for h >= m)
        for (uint256 h = 0; h < depth; h++) {
            uint256 s = (index >> h) ^ 1;
            if (h < m) {
                siblings[h] = s < lv[h].length ? lv[h][s] : z;
            } else {
                siblings[h] = s == 0 ? prefix : z;
                prefix = hashPair(prefix, z);
            }
            z = hashPair(z, z);
        }
    }

    /// @dev Root from a leaf and its siblings (the textbook fold).
    function fold(bytes32 leaf, uint256 index, bytes32[] memory siblings) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 h = 0; h < siblings.length; h++) {
            node = (index >> h) & 1 == 0 ? hashPair(node, siblings[h]) : hashPair(siblings[h], node);
        }
    }
}
