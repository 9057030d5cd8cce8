// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Side, ChessClock} from "../src/Clock.sol";

/// @dev Holds one ChessClock in storage.
contract ClockHarness {
    ChessClock internal c;

    function start(uint64 budget, Side first) external {
        c.start(budget, first);
    }

    function handTo(Side next, uint64 increment, uint64 cap) external {
        c.handTo(next, increment, cap);
    }

    function get() external view returns (ChessClock memory) {
        return c;
    }

    function remaining(Side side) external view returns (uint64) {
        return c.remaining(side);
    }

    function deadline() external view returns (uint256) {
        return c.deadline();
    }

    function isSpent() external view returns (bool) {
        return c.isSpent();
    }
}

contract ClockTest is Test {
    ClockHarness internal h;
    uint64 internal constant BUDGET = 3600;
    uint64 internal constant INC = 300;

    function setUp() public {
        h = new ClockHarness();
        vm.warp(1_000_000);
    }

    function test_start_succeeds() public {
        h.start(BUDGET, Side.Submitter);
        ChessClock memory c = h.get();
        assertEq(c.submitterLeft, BUDGET);
        assertEq(c.challengerLeft, BUDGET);
        assertEq(c.turnStartedAt, block.timestamp);
        assertEq(uint8(c.turn), uint8(Side.Submitter));
        assertEq(h.deadline(), block.timestamp + BUDGET);
        assertFalse(h.isSpent());
    }

    function test_remaining_onlyMoverRuns_succeeds() public {
        h.start(BUDGET, Side.Submitter);
        vm.warp(block.timestamp + 100);
        assertEq(h.remaining(Side.Submitter), BUDGET - 100);
        assertEq(h.remaining(Side.Challenger), BUDGET);
        vm.warp(block.timestamp + 10 * BUDGET);
        assertEq(h.remaining(Side.Submitter), 0, "floored at zero");
    }

    function test_handTo_debitsMover_succeeds() public {
        h.start(BUDGET, Side.Submitter);
        vm.warp(block.timestamp + 100);
        h.handTo(Side.Challenger, 0, BUDGET);
        vm.warp(block.timestamp + 40);
        h.handTo(Side.Challenger, 0, BUDGET); // moving twice in a row
        vm.warp(block.timestamp + 2);
        ChessClock memory c = h.get();
        assertEq(c.submitterLeft, BUDGET - 100);
        assertEq(c.challengerLeft, BUDGET - 40);
        assertEq(h.remaining(Side.Challenger), BUDGET - 42);
        assertEq(h.deadline(), block.timestamp - 2 + BUDGET - 40);
    }

    function test_handTo_creditsIncrement_succeeds() public {
        h.start(BUDGET, Side.Submitter);
        vm.warp(block.timestamp + 1000);
        h.handTo(Side.Challenger, INC, BUDGET);
        ChessClock memory c = h.get();
        assertEq(c.submitterLeft, BUDGET - 1000 + INC, "debited the time it ran, credited the increment");
        assertEq(c.challengerLeft, BUDGET, "the other clock is untouched");
        assertEq(uint8(c.turn), uint8(Side.Challenger));
        assertEq(c.turnStartedAt, block.timestamp);
    }

    function test_handTo_incrementCappedAtBudget_succeeds(uint256 elapsed) public {
        // A quick mover never banks more than the starting budget.
        h.start(BUDGET, Side.Challenger);
        elapsed = bound(elapsed, 0, INC);
        vm.warp(block.timestamp + elapsed);
        h.handTo(Side.Submitter, INC, BUDGET);
        assertEq(h.get().challengerLeft, BUDGET);
    }

    function test_handTo_lastSecondMoverKeepsIncrement_succeeds() public {
        // Moving at deadline - 1 leaves 1 s, plus the increment for the next move: never starved.
        h.start(BUDGET, Side.Submitter);
        for (uint256 i = 0; i < 10; i++) {
            vm.warp(h.deadline() - 1);
            assertFalse(h.isSpent());
            h.handTo(Side.Submitter, INC, BUDGET);
            assertEq(h.get().submitterLeft, 1 + INC);
        }
    }

    function test_handTo_hugeIncrementDoesNotOverflow_succeeds() public {
        h.start(type(uint64).max - 1, Side.Submitter);
        h.handTo(Side.Challenger, type(uint64).max, type(uint64).max);
        assertEq(h.get().submitterLeft, type(uint64).max);
    }

    function test_isSpent_atDeadline_succeeds() public {
        h.start(BUDGET, Side.Challenger);
        vm.warp(block.timestamp + BUDGET - 1);
        assertFalse(h.isSpent());
        vm.warp(block.timestamp + 1);
        assertTrue(h.isSpent());
    }

    /// @dev Without increments, whatever the moves, the deadline never passes start + both budgets.
    function test_deadline_withinBothBudgets_succeeds(uint256 seed) public {
        uint256 start = block.timestamp;
        h.start(BUDGET, Side.Submitter);
        for (uint256 i = 0; i < 20; i++) {
            assertLe(h.deadline(), start + 2 * BUDGET);
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 left = h.deadline() - block.timestamp;
            if (left == 0) break;
            vm.warp(block.timestamp + r % left); // moves before the clock is spent
            h.handTo(r & (1 << 128) == 0 ? Side.Submitter : Side.Challenger, 0, BUDGET);
        }
        assertLe(h.deadline(), start + 2 * BUDGET);
    }

    /// @dev With increments, after M moves the deadline never passes start + both budgets + M increments, however
    ///      late each move comes (up to the last second).
    function test_deadline_withinBudgetsPlusIncrements_succeeds(uint256 seed) public {
        uint256 start = block.timestamp;
        h.start(BUDGET, Side.Submitter);
        uint256 moves = 0;
        for (uint256 i = 0; i < 40; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 left = h.deadline() - block.timestamp;
            vm.warp(block.timestamp + (r % 3 == 0 ? left - 1 : r % left)); // often the last second
            h.handTo(r & (1 << 128) == 0 ? Side.Submitter : Side.Challenger, INC, BUDGET);
            moves++;
            assertLe(h.deadline(), start + 2 * BUDGET + moves * INC);
        }
    }
}
