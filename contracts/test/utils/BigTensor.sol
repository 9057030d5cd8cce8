// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SmallTree} from "./SmallTree.sol";

/// @title BigTensor
/// @notice Pseudo-random tensors of any word count for upload tests, in the forms the game takes (words packed 4
///         bytes each, big-endian; chunks of it) and the reference root, built independently of the contracts: the
///         leaves are the packed words 32 bytes at a time (the last zero-padded) and the root is SmallTree's full
///         tree over all of them at the tensor's height.
library BigTensor {
    /// @dev The leaves of an n-word tensor: leaf l is keccak256(seed, l), its words past n zeroed.
    function leaves(uint256 seed, uint256 n) internal pure returns (bytes32[] memory l) {
        l = new bytes32[]((n + 7) / 8);
        for (uint256 k = 0; k < l.length; k++) {
            l[k] = keccak256(abi.encode(seed, k));
        }
        uint256 tail = n % 8;
        if (tail != 0) {
            // Keep the first `tail` words (the most significant 32 * tail bits).
            uint256 keep = type(uint256).max << (256 - 32 * tail);
            l[l.length - 1] = bytes32(uint256(l[l.length - 1]) & keep);
        }
    }

    /// @dev The n words of those leaves, packed: the first 4n bytes of their concatenation.
    function packed(bytes32[] memory l, uint256 n) internal pure returns (bytes memory p) {
        p = new bytes(4 * n);
        for (uint256 k = 0; k < l.length; k++) {
            bytes32 leaf = l[k];
            uint256 offset = 32 * k;
            if (offset + 32 <= p.length) {
                assembly {
                    mstore(add(add(p, 32), offset), leaf)
                }
            } else {
                for (uint256 b = 0; offset + b < p.length; b++) {
                    p[offset + b] = leaf[b];
                }
            }
        }
    }

    /// @dev bytes [start, end) of `data`.
    function slice(bytes memory data, uint256 start, uint256 end) internal pure returns (bytes memory out) {
        out = new bytes(end - start);
        for (uint256 i = 0; i < out.length; i += 32) {
            bytes32 w;
            assembly {
                w := mload(add(add(data, 32), add(start, i)))
            }
            if (i + 32 <= out.length) {
                assembly {
                    mstore(add(add(out, 32), i), w)
                }
            } else {
                for (uint256 b = 0; i + b < out.length; b++) {
                    out[i + b] = w[b];
                }
            }
        }
    }

    /// @dev The reference root: the full tree over every leaf, of depth ceil(log2 leaves) (the tensor's height).
    function referenceRoot(bytes32[] memory l) internal pure returns (bytes32) {
        return SmallTree.root(l, SmallTree.ceilLog2(l.length));
    }
}
