// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {VMJudge} from "../src/VMJudge.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {IStepJudge} from "../src/IStepJudge.sol";
import {SubmissionStatus, Phase, Move, Submission, DisputeView} from "../src/GameTypes.sol";
import {GameHandler, HandlerCalls, TileCalls} from "./utils/GameHandler.sol";
import {TraceRunner} from "./utils/Tracer.sol";

/// @notice Invariants of the game under random submitters, challengers, moves, time and withdrawals
///         (GameHandler, over a model with a tiled node between two untiled ones): conservation of every wei
///         (credits, burns, withdrawals and locked bonds add up to the deposits, and the balance is the deposits less
///         the withdrawals), an honest submitter never loses, an honest challenger never loses, one resolution per
///         dispute, and no dispute outlives both clocks plus an increment per move. After each run everything is
///         played out and paid out.
contract DisputeGameInvariantTest is StdInvariant, Test {
    uint64 internal constant CLOCK = 1 hours;
    uint64 internal constant INCREMENT = 5 minutes;

    VMJudge internal judge;
    DisputeGame internal game;
    GameHandler internal handler;

    function setUp() public {
        vm.warp(1_000_000);
        judge = new VMJudge();
        game = new DisputeGame(IStepJudge(address(judge)), 1 ether, 0.4 ether, 1 days, CLOCK, INCREMENT, arity());
        handler = new GameHandler(
            game, judge, new TraceRunner(judge), new HandlerCalls(judge), new TileCalls(judge)
        );
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

    /// @dev The game's k: a bisection here (DisputeGameInvariantK3Test runs the same invariants at k = 3).
    function arity() internal pure virtual returns (uint256) {
        return 2;
    }

    /// @dev Every actor's credit.
    function credited() internal view returns (uint256 sum) {
        address[6] memory all = handler.actors();
        for (uint256 i = 0; i < all.length; i++) {
            sum += game.credits(all[i]);
        }
    }

    /// @dev Wei held for parts not paid out yet: the bond of every pending submission, and of every rejected one
    ///      while a dispute on it is open; once all are ruled, the share of each winner not settled yet; the
    ///      challenge bond of every unresolved dispute.
    function locked() internal view returns (uint256 sum) {
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            Submission memory s = game.submission(id);
            if (s.status == SubmissionStatus.Pending) sum += s.bond;
            if (s.status == SubmissionStatus.Rejected && s.openDisputes != 0) sum += s.bond;
        }
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            if (v.phase != Phase.Resolved) sum += game.challengeBond();
            if (v.next == Move.Settle) sum += game.submission(v.submissionId).rewardShare;
        }
    }

    function invariant_conservation() public view {
        assertEq(
            credited() + game.burned() + handler.withdrawn() + locked(),
            handler.deposited(),
            "credits + burned + withdrawn + locked = deposited"
        );
    }

    function invariant_balanceIsDepositsLessWithdrawals() public view {
        assertEq(address(game).balance, handler.deposited() - handler.withdrawn());
    }

    function invariant_honestSubmitterNeverLoses() public view {
        assertEq(handler.honestLosses(), 0);
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            if (handler.isHonest(id)) assertTrue(game.submission(id).status != SubmissionStatus.Rejected);
        }
    }

    function invariant_honestChallengerNeverLoses() public view {
        assertEq(handler.honestChallengerLosses(), 0);
    }

    function invariant_resolvedAtMostOnce() public view {
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            uint256 count = handler.resolvedCount(d);
            assertLe(count, 1);
            assertEq(count == 1, game.dispute(d).phase == Phase.Resolved);
        }
    }

    function invariant_disputeEndsWithinClocksPlusIncrements() public view {
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            if (v.phase == Phase.Resolved) continue;
            // The mover's deadline (after which timeout ends it) never passes the start plus both clocks plus one
            // increment per move made.
            assertLe(v.deadline, handler.endBound(v.createdAt, handler.moves(d)));
        }
        assertEq(handler.lateRulings(), 0);
    }

    /// @dev Play everything out: every dispute resolves, every submission ends, every share is settled, everyone
    ///      withdraws, and the game holds exactly what was burned.
    function afterInvariant() public {
        handler.drain();
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            assertEq(uint8(v.phase), uint8(Phase.Resolved));
            assertEq(uint8(v.next), uint8(Move.None), "every winning challenger settled");
        }
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            assertTrue(game.submission(id).status != SubmissionStatus.Pending);
        }
        assertEq(handler.honestLosses(), 0);
        assertEq(handler.honestChallengerLosses(), 0);
        assertEq(credited(), 0, "everyone withdrew");
        assertEq(address(game).balance, game.burned(), "only burns stay");
        assertEq(game.burned() + handler.withdrawn(), handler.deposited());
        console.log("submissions, disputes, VM starts:", m, n, handler.vmStarts());
        console.log("tile starts, tile VM starts:", handler.tileStarts(), handler.tileVMStarts());
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

/// @notice The same invariants in a game of arity 3: over the handler's 3 nodes, 3 tiles and 25- or 34-step runs every
///         cut but the last posts two states, the liar's garbage lands on one of them, and the griefers name any of
///         the three parts.
contract DisputeGameInvariantK3Test is DisputeGameInvariantTest {
    function arity() internal pure override returns (uint256) {
        return 3;
    }
}
