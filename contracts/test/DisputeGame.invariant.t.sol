// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {VMJudge} from "../src/VMJudge.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {IStepJudge} from "../src/IStepJudge.sol";
import {SubmissionStatus, Phase, Move, Submission, DisputeView} from "../src/GameTypes.sol";
import {GameHandler} from "./utils/GameHandler.sol";

/// @notice Invariants of the game under random submitters, challengers, moves, time and withdrawals
///         (GameHandler): solvency, an honest submitter never loses, one resolution per dispute, and no
///         dispute outlives both clocks. After each run everything is played out and paid out.
contract DisputeGameInvariantTest is StdInvariant, Test {
    uint64 internal constant CLOCK = 1 hours;

    VMJudge internal judge;
    DisputeGame internal game;
    GameHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        judge = new VMJudge();
        game = new DisputeGame(IStepJudge(address(judge)), 1 ether, 1 days, CLOCK);
        handler = new GameHandler(game, judge);
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = GameHandler.submit.selector;
        selectors[1] = GameHandler.challenge.selector;
        selectors[2] = GameHandler.move.selector;
        selectors[3] = GameHandler.warp.selector;
        selectors[4] = GameHandler.timeout.selector;
        selectors[5] = GameHandler.settle.selector;
        selectors[6] = GameHandler.finalize.selector;
        selectors[7] = GameHandler.withdraw.selector;
        selectors[8] = GameHandler.resolveAny.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev What the game owes: every credit not withdrawn, the bond of every pending submission and of every
    ///      unresolved dispute.
    function owed() internal view returns (uint256 sum) {
        address[6] memory all = handler.actors();
        for (uint256 i = 0; i < all.length; i++) {
            sum += game.credits(all[i]);
        }
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            Submission memory s = game.submission(id);
            if (s.status == SubmissionStatus.Pending) sum += s.bond;
        }
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            if (v.phase != Phase.Resolved) sum += game.submission(v.submissionId).bond;
        }
    }

    function invariant_solvency() public view {
        assertEq(address(game).balance, owed());
    }

    function invariant_honestSubmitterNeverLoses() public view {
        assertEq(handler.honestLosses(), 0);
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            if (handler.isHonest(id)) assertTrue(game.submission(id).status != SubmissionStatus.Rejected);
        }
    }

    function invariant_resolvedAtMostOnce() public view {
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            uint256 count = handler.resolvedCount(d);
            assertLe(count, 1);
            assertEq(count == 1, game.dispute(d).phase == Phase.Resolved);
        }
    }

    function invariant_disputeEndsWithinBothClocks() public view {
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            if (v.next == Move.None || v.next == Move.Settle) continue;
            // The mover's deadline (after which timeout ends it) never passes the start plus both clocks.
            assertLe(v.deadline, v.createdAt + 2 * uint256(CLOCK));
        }
        assertEq(handler.lateRulings(), 0);
    }

    /// @dev Play everything out: every dispute resolves, every submission ends, everyone withdraws, and the game
    ///      holds nothing.
    function afterInvariant() public {
        handler.drain();
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            assertEq(uint8(game.dispute(d).phase), uint8(Phase.Resolved));
        }
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            assertTrue(game.submission(id).status != SubmissionStatus.Pending);
        }
        assertEq(handler.honestLosses(), 0);
        assertEq(address(game).balance, 0);
        console.log("submissions, disputes, VM starts:", m, n, handler.vmStarts());
        console.log(
            "step rulings, timeouts, settlements:", handler.stepRulings(), handler.timeouts(), handler.settlements()
        );
        console.log(
            "challenger wins, finalizations, withdrawals:",
            handler.challengerWins(),
            handler.finalizations(),
            handler.withdrawals()
        );
    }
}
