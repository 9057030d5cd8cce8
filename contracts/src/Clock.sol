// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The chess clocks of a dispute (docs/GAME.md, "A dispute"): each side has a time budget, and only the clock of
// the side to move runs.

/// @notice A party of a dispute. None: nobody (no winner yet, or a dispute that ended without a winner).
enum Side {
    None,
    Submitter,
    Challenger
}

/// @notice Two clocks and whose turn it is, in one storage slot.
/// @param submitterLeft Seconds the submitter had left when its clock last stopped (or at the start).
/// @param challengerLeft Seconds the challenger had left when its clock last stopped (or at the start).
/// @param turnStartedAt When the mover's clock started running.
/// @param turn The side to move: its clock runs from turnStartedAt.
struct ChessClock {
    uint64 submitterLeft;
    uint64 challengerLeft;
    uint64 turnStartedAt;
    Side turn;
}

using ChessClockLib for ChessClock global;

/// @title ChessClockLib
/// @notice Starting, reading and passing a ChessClock.
/// @dev A clock is spent when the mover's running time reaches its budget: at `deadline()` exactly, the mover
///      can no longer move and `timeout` becomes possible. Each move earns the mover a fixed increment (Fischer
///      timing), capped at the starting budget: a side that moves at the last second of its clock still has the
///      increment for its next move, so it can never be starved by the other side's pace, and nobody can bank
///      more than the starting budget. Each side is debited exactly the time its clock ran, so a dispute of M
///      moves ends within 2 * budget + M * increment seconds of its start.
library ChessClockLib {
    /// @notice Gives both sides `budget` seconds and starts `first`'s clock now.
    function start(ChessClock storage c, uint64 budget, Side first) internal {
        c.submitterLeft = budget;
        c.challengerLeft = budget;
        c.turnStartedAt = uint64(block.timestamp);
        c.turn = first;
    }

    /// @notice Seconds `side` has left now (the mover's budget less its running time, floored at zero).
    function remaining(ChessClock memory c, Side side) internal view returns (uint64) {
        uint64 left = side == Side.Submitter ? c.submitterLeft : c.challengerLeft;
        if (side != c.turn) return left;
        uint256 elapsed = block.timestamp - c.turnStartedAt;
        return elapsed >= left ? 0 : left - uint64(elapsed);
    }

    /// @notice The moment the mover's clock is spent.
    function deadline(ChessClock memory c) internal pure returns (uint256) {
        uint64 left = c.turn == Side.Submitter ? c.submitterLeft : c.challengerLeft;
        return uint256(c.turnStartedAt) + left;
    }

    /// @notice Whether the mover's clock is spent (now at or past the deadline).
    function isSpent(ChessClock memory c) internal view returns (bool) {
        return block.timestamp >= deadline(c);
    }

    /// @notice Stops the mover's clock, debiting the time it ran and crediting `increment` (the total capped at
    ///         `cap`), and starts `next`'s clock now (`next` may be the mover itself when it moves twice in a row).
    /// @dev The caller checks first that the clock is not spent, so the debit never underflows.
    function handTo(ChessClock storage c, Side next, uint64 increment, uint64 cap) internal {
        uint64 now_ = uint64(block.timestamp);
        uint64 elapsed = now_ - c.turnStartedAt;
        if (c.turn == Side.Submitter) {
            c.submitterLeft = _credit(c.submitterLeft - elapsed, increment, cap);
        } else {
            c.challengerLeft = _credit(c.challengerLeft - elapsed, increment, cap);
        }
        c.turnStartedAt = now_;
        c.turn = next;
    }

    /// @dev min(left + increment, cap), without overflow.
    function _credit(uint64 left, uint64 increment, uint64 cap) private pure returns (uint64) {
        uint256 total = uint256(left) + increment;
        return total > cap ? cap : uint64(total);
    }
}
