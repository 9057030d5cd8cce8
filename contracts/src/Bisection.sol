// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// One bisection over positions lo < hi (docs/GAME.md, "Graph phase", "VM phase"): graph states over nodes, then
// VM states over steps. The midpoint is always computed here, never taken from a caller.

/// @notice The disputed interval and the hashes at its ends.
/// @param lo The last position both sides agree on.
/// @param hi The first position known to be disputed (the submitter's claim).
/// @param loHash The agreed hash at lo.
/// @param hiHash The submitter's hash at hi, which the challenger disputes.
/// @param midHash The submitter's latest posted hash: its hash at mid() while the challenger has to answer (stale
///        otherwise, and left in place to save storage writes; views mask it).
struct Bisection {
    uint64 lo;
    uint64 hi;
    bytes32 loHash;
    bytes32 hiHash;
    bytes32 midHash;
}

using BisectionLib for Bisection global;

/// @title BisectionLib
/// @notice Positions and narrowing of a Bisection. lo < hi holds throughout; it converges at hi = lo + 1 after at
///         most ceil(log2(hi - lo)) narrowings, since each keeps at most the larger half, ceil((hi - lo) / 2).
library BisectionLib {
    /// @notice Starts over [0, hi] with the agreed hash at 0 and the submitter's hash at hi (hi >= 1).
    function init(Bisection storage b, uint64 hi, bytes32 loHash, bytes32 hiHash) internal {
        b.lo = 0;
        b.hi = hi;
        b.loHash = loHash;
        b.hiHash = hiHash;
    }

    /// @notice The position the submitter must post next: floor((lo + hi) / 2), strictly inside (lo, hi) until
    ///         converged.
    function mid(Bisection memory b) internal pure returns (uint64) {
        return b.lo + (b.hi - b.lo) / 2;
    }

    /// @notice Whether one position step is left: hi = lo + 1.
    function isConverged(Bisection memory b) internal pure returns (bool) {
        return b.hi - b.lo == 1;
    }

    /// @notice Records the submitter's hash at mid().
    function post(Bisection storage b, bytes32 midHash) internal {
        b.midHash = midHash;
    }

    /// @notice The challenger's answer on the posted hash: agree moves lo up to mid, disagree moves hi down to it.
    /// @dev Reads lo and hi (one slot) and the posted hash only.
    function respond(Bisection storage b, bool agree) internal {
        uint64 lo = b.lo;
        uint64 m = lo + (b.hi - lo) / 2;
        if (agree) {
            b.lo = m;
            b.loHash = b.midHash;
        } else {
            b.hi = m;
            b.hiHash = b.midHash;
        }
    }
}
