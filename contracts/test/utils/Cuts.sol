// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev `state` as a one-element list: what a post gives when the cut has two parts (k = 2, or an interval of length
///      2 at any k).
function one(bytes32 state) pure returns (bytes32[] memory list) {
    list = new bytes32[](1);
    list[0] = state;
}

/// @title Cuts
/// @notice The tests' own arithmetic of a k-ary cut (docs/GAME.md, "Dissection"), written from the rule and not
///         taken from BisectionLib, so that the game's positions are checked against it: the cut of [lo, hi] has
///         n = min(k, hi - lo) parts, its positions are p_i = lo + floor(i (hi - lo) / n) (p_0 = lo, p_n = hi), and
///         a post gives the states at p_1 .. p_{n-1}.
library Cuts {
    /// @dev For k = 2: the part an answer names when it agrees with the one posted state (the upper half: lo moves
    ///      up to it) and when it disputes it (the lower half: hi moves down to it).
    uint256 internal constant AGREE = 1;
    uint256 internal constant DISAGREE = 0;

    /// @dev For k = 2: AGREE or DISAGREE.
    function binary(bool agree) internal pure returns (uint256) {
        return agree ? AGREE : DISAGREE;
    }

    /// @dev How many parts the cut of [lo, hi] has at arity k.
    function parts(uint64 lo, uint64 hi, uint256 k) internal pure returns (uint256) {
        uint256 len = uint256(hi) - lo;
        return len < k ? len : k;
    }

    /// @dev Position i of the cut of [lo, hi] into n parts.
    function position(uint64 lo, uint64 hi, uint256 n, uint256 i) internal pure returns (uint64) {
        return uint64(uint256(lo) + ((uint256(hi) - lo) * i) / n);
    }

    /// @dev The cut's inner positions p_1 .. p_{n-1}.
    function inner(uint64 lo, uint64 hi, uint256 n) internal pure returns (uint64[] memory p) {
        p = new uint64[](n - 1);
        for (uint256 i = 1; i < n; i++) {
            p[i - 1] = position(lo, hi, n, i);
        }
    }

    /// @dev The entries of `byPosition` (one hash per position, 0 .. its length - 1) at the cut's inner positions:
    ///      what a post of that story gives.
    function pick(bytes32[] memory byPosition, uint64 lo, uint64 hi, uint256 n)
        internal
        pure
        returns (bytes32[] memory states)
    {
        uint64[] memory p = inner(lo, hi, n);
        states = new bytes32[](p.length);
        for (uint256 i = 0; i < p.length; i++) {
            states[i] = byPosition[p[i]];
        }
    }

    /// @dev The part an honest challenger names: the first whose end state it disputes (posted[i] != truth[i] names
    ///      part i, whose start it agreed to), or the last part when it agrees with every posted state (its end is
    ///      the disputed hi).
    function firstWrong(bytes32[] memory posted, bytes32[] memory truth) internal pure returns (uint256) {
        for (uint256 i = 0; i < posted.length; i++) {
            if (posted[i] != truth[i]) return i;
        }
        return posted.length;
    }

    /// @dev ceil(log_k n) for n >= 1: the fewest r with k^r >= n.
    function ceilLog(uint256 n, uint256 k) internal pure returns (uint256 r) {
        uint256 reach = 1;
        while (reach < n) {
            reach *= k;
            r++;
        }
    }

    /// @dev keccak256 of the states as the game stores them (abi.encodePacked).
    function hashOf(bytes32[] memory states) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(states));
    }
}
