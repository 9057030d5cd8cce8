// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PostedStateCount, PostedStatesMismatch, PartOutOfRange} from "./GameErrors.sol";

// One k-ary dissection over positions lo < hi (docs/GAME.md, "Dissection"): graph states over nodes, tile states
// over tiles, then VM states over steps. The submitter posts its states at the k' - 1 inner positions that cut
// [lo, hi] into k' = min(k, hi - lo) parts; the challenger names the part holding the first disagreement. The
// positions are always computed here, never taken from a caller. k = 2 is a bisection (the one inner position is
// floor((lo + hi) / 2)).

/// @notice The disputed interval and the hashes at its ends.
/// @param lo The last position both sides agree on.
/// @param hi The first position known to be disputed (the submitter's claim).
/// @param loHash The agreed hash at lo.
/// @param hiHash The submitter's hash at hi, which the challenger disputes.
/// @param postedHash keccak256 of the submitter's latest posted states (abi.encodePacked): current while the
///        challenger has to answer (stale otherwise, and left in place to save storage writes; views mask it). The
///        states themselves are only in calldata and the post's event.
struct Bisection {
    uint64 lo;
    uint64 hi;
    bytes32 loHash;
    bytes32 hiHash;
    bytes32 postedHash;
}

using BisectionLib for Bisection global;

/// @title BisectionLib
/// @notice Positions and narrowing of a k-ary dissection. lo < hi holds throughout: the parts' positions
///         p_i = lo + floor(i (hi - lo) / k') are strictly increasing (k' <= hi - lo), so every part is at least one
///         position long and at most ceil((hi - lo) / k'). It converges at hi = lo + 1 after at most
///         ceil(log_k(hi - lo)) narrowings.
library BisectionLib {
    /// @notice Starts over [0, hi] with the agreed hash at 0 and the submitter's hash at hi (hi >= 1).
    function init(Bisection storage b, uint64 hi, bytes32 loHash, bytes32 hiHash) internal {
        b.lo = 0;
        b.hi = hi;
        b.loHash = loHash;
        b.hiHash = hiHash;
    }

    /// @notice How many parts the next post cuts [lo, hi] into: min(k, hi - lo) (1 once converged).
    function parts(Bisection memory b, uint256 k) internal pure returns (uint256) {
        uint256 len = b.hi - b.lo;
        return len < k ? len : k;
    }

    /// @notice Position i of the cut of [lo, hi] into n parts (p_0 = lo, p_n = hi).
    function position(uint64 lo, uint64 hi, uint256 n, uint256 i) internal pure returns (uint64) {
        // Safe: i <= n, so the result is at most hi.
        return uint64(lo + (uint256(hi - lo) * i) / n);
    }

    /// @notice Whether one position step is left: hi = lo + 1.
    function isConverged(Bisection memory b) internal pure returns (bool) {
        return b.hi - b.lo == 1;
    }

    /// @notice Records the submitter's states at the inner positions p_1 .. p_{k'-1} of the cut into k' parts.
    function post(Bisection storage b, uint256 k, bytes32[] calldata states) internal {
        // min(k, hi - lo) from the one storage slot of lo and hi (parts() would copy the whole struct to memory).
        uint256 len = b.hi - b.lo;
        uint256 n = len < k ? len : k;
        // INVARIANT: one state per inner position of the cut, no more and no fewer: the positions the challenger's
        // answer reads them at are the ones the submitter posted them for.
        if (states.length != n - 1) revert PostedStateCount(n - 1, states.length);
        b.postedHash = keccak256(abi.encodePacked(states));
    }

    /// @notice The challenger's answer on the posted `states` (resupplied, as posted): it agrees with the state at
    ///         p_part and disputes the one at p_{part+1}, which become lo and hi.
    function respond(Bisection storage b, uint256 part, bytes32[] calldata states) internal {
        // INVARIANT: the answer is about the states the submitter posted for this interval, exactly (and so about
        // as many of them as the cut has inner positions). postedHash is never stale here: the game hands the
        // challenger an answer only right after the submitter's post on the same [lo, hi] (turns alternate, and
        // every phase starts on the submitter's turn or converged).
        bytes32 given = keccak256(abi.encodePacked(states));
        if (given != b.postedHash) revert PostedStatesMismatch(b.postedHash, given);
        uint256 n = states.length + 1;
        // INVARIANT: the challenger names one of the cut's parts; its ends are positions the game computed.
        if (part >= n) revert PartOutOfRange(part, n);
        (uint64 lo, uint64 hi) = (b.lo, b.hi);
        if (part > 0) b.loHash = states[part - 1];
        if (part < n - 1) b.hiHash = states[part];
        b.lo = position(lo, hi, n, part);
        b.hi = position(lo, hi, n, part + 1);
    }
}
