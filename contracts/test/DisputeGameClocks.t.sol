// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VMState, StepProof} from "../src/VMTypes.sol";
import {Side} from "../src/Clock.sol";
import {Reason, Move, DisputeView} from "../src/GameTypes.sol";
import {ClockNotSpent} from "../src/GameErrors.sol";
import {ChainGame} from "./utils/ChainGame.sol";
import {Tracer} from "./utils/Tracer.sol";

/// @notice Clock attacks (Fischer increments): a side that always moves at the last second of its clock cannot
///         freeze a dispute. Whatever the timing, every dispute ends, by a ruling or a timeout, within
///         2 * clockSeconds + moves * moveIncrement of its start (checked before every move too), the honest
///         side wins, and the honest side's resolveStep or timeout is always callable.
contract DisputeGameClocksTest is ChainGame {
    /// @dev A dispute between a liar at node `lieNode` (or an honest submitter when the challenger lies) and the
    ///      honest side, played out with the given actors. Returns the finished play.
    function dispute(bool submitterLies, uint256 lieNode, Actor memory sub, Actor memory chal)
        internal
        returns (Play memory p)
    {
        (uint256 id, bytes32[] memory claimed, bytes32[] memory truth) =
            submitChain(2, submitterLies, lieNode, submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        sub.honest = !submitterLies;
        chal.honest = submitterLies;
        p = newPlay(d, claimed, truth, sub, chal);
        playOut(p);
        uint256 duration = p.endedAt - p.createdAt;
        console.log("moves, duration (s), bound (s):", p.moves, duration, endBound(0, p.moves));
        assertLe(p.endedAt, endBound(p.createdAt, p.moves), "ended within 2 * clock + moves * increment");
        assertEq(uint8(p.winner), uint8(submitterLies ? Side.Challenger : Side.Submitter), "the honest side won");
    }

    function test_clock_lastSecondLiarSubmitter_cannotFreezeGame_succeeds() public {
        Play memory p = dispute(true, 1, actor(false, Timing.LastSecond), actor(true, Timing.AtOnce));
        assertEq(uint8(p.reason), uint8(Reason.Step), "ended by the judge, not by the staller's choice");
        // The staller spent its whole budget on the first move and then lived on increments: it cannot stretch
        // the dispute past CLOCK plus one increment (and a second) per later move of its own.
        assertLe(p.endedAt - p.createdAt, uint256(CLOCK) + p.subMoves * (uint256(INCREMENT) + 1));
    }

    function test_clock_lastSecondLiarChallenger_cannotFreezeGame_succeeds() public {
        // The lying challenger stalls every answer and would never resolve the step it loses: the honest submitter
        // resolves it itself.
        Play memory p = dispute(false, 0, actor(true, Timing.AtOnce), actor(false, Timing.LastSecond));
        assertEq(uint8(p.reason), uint8(Reason.Step));
    }

    function test_clock_bothSidesLastSecond_endsWithinBound_succeeds() public {
        // Even an honest side that always waits for its last second, against a staller: still bounded.
        Play memory p = dispute(true, 2, actor(false, Timing.LastSecond), actor(true, Timing.LastSecond));
        assertEq(uint8(p.reason), uint8(Reason.Step));
        p = dispute(false, 0, actor(true, Timing.LastSecond), actor(false, Timing.LastSecond));
        assertEq(uint8(p.reason), uint8(Reason.Step));
    }

    function test_clock_stallerGoesSilent_timeoutEndsIt_succeeds() public {
        Actor memory liar = actor(false, Timing.LastSecond);
        liar.silentAfter = 3;
        Play memory p = dispute(true, 0, liar, actor(true, Timing.AtOnce));
        assertEq(uint8(p.reason), uint8(Reason.Timeout));
        liar.silentAfter = 2;
        p = dispute(false, 0, actor(true, Timing.AtOnce), liar);
        assertEq(uint8(p.reason), uint8(Reason.Timeout));
    }

    /// forge-config: default.fuzz.runs = 48
    function test_clock_anyTiming_endsWithinBound_succeeds(uint256 seed) public {
        bool submitterLies = seed & 1 == 1;
        Actor memory liar = actor(false, Timing(uint256(keccak256(abi.encode(seed, "liar"))) % 3));
        uint256 r = uint256(keccak256(abi.encode(seed, "silent")));
        liar.silentAfter = r % 3 == 0 ? r % 12 : type(uint256).max;
        Actor memory honest = actor(true, Timing(uint256(keccak256(abi.encode(seed, "honest"))) % 3));
        dispute(submitterLies, (seed >> 8) % NODES, submitterLies ? liar : honest, submitterLies ? honest : liar);
    }

    function test_resolveStep_stallingChallengerCannotBlockIt_succeeds() public {
        // A lying challenger reached the step and never resolves it: at the last second of its clock the honest
        // submitter resolves it; one second later the submitter could also have won on time.
        (uint256 id, bytes32[] memory claimed, bytes32[] memory truth) = submitChain(2, false, 0, submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        Actor memory liar = actor(false, Timing.AtOnce);
        liar.silentAfter = type(uint256).max;
        Play memory p = newPlay(d, claimed, truth, actor(true, Timing.AtOnce), liar);
        // Play up to the step by hand: the engine would have the submitter resolve at once.
        for (uint256 i = 0; i < 40 && game.dispute(d).next != Move.ResolveStep; i++) {
            _move(p, game.dispute(d));
        }
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
        assertEq(uint8(v.turn), uint8(Side.Challenger), "the challenger's clock runs");
        vm.warp(v.deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ClockNotSpent.selector, v.deadline));
        game.timeout(d);
        uint256 snap = vm.snapshotState();
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, p.code, p.mem, v.lo);
        vm.prank(submitter);
        game.resolveStep(d, pre, proof);
        assertEq(uint8(game.dispute(d).winner), uint8(Side.Submitter));
        assertEq(uint8(game.dispute(d).reason), uint8(Reason.Step));
        vm.revertToState(snap);
        vm.warp(v.deadline);
        vm.prank(other);
        game.timeout(d);
        assertEq(uint8(game.dispute(d).winner), uint8(Side.Submitter));
        assertEq(uint8(game.dispute(d).reason), uint8(Reason.Timeout));
    }
}
