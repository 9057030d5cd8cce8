// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side} from "../src/Clock.sol";
import {SubmissionStatus, Phase, Reason, Move, Submission} from "../src/GameTypes.sol";
import {NothingToSettle, TransferFailed} from "../src/GameErrors.sol";
import {ChainGame} from "./utils/ChainGame.sol";
import {one} from "./utils/Cuts.sol";

/// @notice Economic attacks on several disputes of one submission: a losing dispute is never refunded (its bond goes
///         to the submitter, even after another dispute rejected the submission); a submitter who rejects its own
///         lie through a sybil challenger cannot shut out an honest challenger of the same block, who plays to its
///         own ruling and gets its bond back plus a share no smaller than the sybil's; burns are a counter and no
///         ruling sends ether anywhere.
contract DisputeGameEconomicsTest is ChainGame {
    address internal liarChallenger = makeAddr("liarChallenger");
    address internal sybil = makeAddr("sybil");

    function setUp() public override {
        super.setUp();
        vm.deal(liarChallenger, 100 ether);
        vm.deal(sybil, 100 ether);
    }

    /// @dev The sum of every party's credit and the burned counter.
    function accounted() internal view returns (uint256) {
        return game.credits(submitter) + game.credits(challenger) + game.credits(other) + game.credits(liarChallenger)
            + game.credits(sybil) + game.burned();
    }

    // ======================================================================================================
    // (a) No refund of a losing dispute
    // ======================================================================================================

    /// @dev A lie at node 2, disputed by an honest challenger (d1) and by a lying one (d2, disagreeing with
    ///      everything, so it disputes node 0, which is true, and loses at the judge). `honestFirst` picks which
    ///      ruling comes first.
    function twoDisputes(bool honestFirst) internal returns (uint256 id, uint256 d1, uint256 d2) {
        bytes32[] memory claimed;
        bytes32[] memory truth;
        (id, claimed, truth) = submitChain(4, true, 2, submitter, 2 ether);
        d1 = challengeAs(id, challenger);
        d2 = challengeAs(id, liarChallenger);
        // In d2 the submitter's claims are true where the dispute goes (node 0): it is the honest side there.
        Play memory honest = newPlay(d1, claimed, truth, actor(false, Timing.AtOnce), actor(true, Timing.AtOnce));
        Play memory liar = newPlay(d2, claimed, truth, actor(true, Timing.AtOnce), actor(false, Timing.Random));
        if (honestFirst) {
            playOut(honest);
            assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected), "rejected by d1");
            playOut(liar); // runs to its own ruling after the rejection
        } else {
            playOut(liar);
            assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Pending), "d2 rejects nothing");
            playOut(honest);
        }
        assertEq(uint8(honest.winner), uint8(Side.Challenger));
        assertEq(uint8(liar.winner), uint8(Side.Submitter));
        assertEq(uint8(liar.reason), uint8(Reason.Step), "the liar lost its own ruling, by the judge");
    }

    function checkNoRefund(uint256 id, uint256 d1, uint256 d2) internal {
        assertEq(game.credits(liarChallenger), 0, "the losing bond is not refunded");
        assertEq(game.credits(submitter), CHALLENGE_BOND, "it went to the submitter, though its result was rejected");
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d2));
        game.settle(d2);
        assertEq(uint8(game.dispute(d2).next), uint8(Move.None));
        game.settle(d1);
        Submission memory s = game.submission(id);
        assertEq(s.winners, 1);
        assertEq(game.credits(challenger), CHALLENGE_BOND + 1 ether, "its bond back and half of the 2 ether bond");
        assertEq(game.burned(), 1 ether);
        assertEq(accounted(), 2 ether + 2 * CHALLENGE_BOND, "every wei accounted for");
        assertEq(address(game).balance, 2 ether + 2 * CHALLENGE_BOND, "and still in the contract");
    }

    function test_economics_losingDisputeNotRefunded_succeeds() public {
        (uint256 id, uint256 d1, uint256 d2) = twoDisputes(false);
        checkNoRefund(id, d1, d2);
    }

    function test_economics_losingDisputeAfterRejectionNotRefunded_succeeds() public {
        // The old rule refunded every dispute still open when the submission was rejected: a liar could challenge
        // for free. Now d2 plays on after d1's rejection and loses its bond to the submitter.
        (uint256 id, uint256 d1, uint256 d2) = twoDisputes(true);
        checkNoRefund(id, d1, d2);
    }

    // ======================================================================================================
    // (b) Self-rejection through a sybil
    // ======================================================================================================

    /// @dev The liar's sybil and an honest challenger challenge in the same block; the liar concedes the sybil's
    ///      dispute at once (rejecting its own result) and stalls, then abandons (`abandon`) or loses by the judge,
    ///      the honest one.
    function sybilRace(bool abandon) internal returns (uint256 id, uint256 dSybil, uint256 dHonest) {
        uint256 bond = 3 ether;
        bytes32[] memory claimed;
        bytes32[] memory truth;
        (id, claimed, truth) = submitChain(6, true, 1, submitter, bond);
        dSybil = challengeAs(id, sybil);
        dHonest = challengeAs(id, challenger);
        assertEq(game.dispute(dSybil).createdAt, game.dispute(dHonest).createdAt, "the same block");

        // The sybil plays the truth (it knows the lie) and wins first: the submission is rejected.
        Play memory ps = newPlay(dSybil, claimed, truth, actor(false, Timing.AtOnce), actor(true, Timing.AtOnce));
        playOut(ps);
        assertEq(uint8(ps.winner), uint8(Side.Challenger));
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
        assertEq(game.submission(id).rewardShare, 0, "no split while the honest dispute is open");
        assertEq(game.credits(sybil), CHALLENGE_BOND);
        assertEq(game.credits(challenger), 0, "nothing refunded to the honest challenger: it plays on");

        // The honest dispute runs to its own ruling.
        Actor memory liar = actor(false, Timing.LastSecond);
        if (abandon) liar.silentAfter = 2;
        Play memory ph = newPlay(dHonest, claimed, truth, liar, actor(true, Timing.AtOnce));
        playOut(ph);
        assertEq(uint8(ph.winner), uint8(Side.Challenger));
        assertEq(uint8(ph.reason), uint8(abandon ? Reason.Timeout : Reason.Step));

        game.settle(dSybil);
        game.settle(dHonest);
        uint256 share = (bond - bond / 2) / 2;
        assertGt(share, 0);
        assertEq(game.submission(id).rewardShare, share);
        assertEq(game.credits(challenger), CHALLENGE_BOND + share, "bond back plus a share > 0");
        assertEq(game.credits(sybil), CHALLENGE_BOND + share, "the sybil gets no more than the honest challenger");
        assertEq(game.credits(submitter), 0);
        assertEq(game.burned(), bond - 2 * share);
        // The liar and its sybil together lose the bond less one share: at least three quarters of it.
        assertGe(bond - share, (3 * bond) / 4);
        assertEq(accounted(), bond + 2 * CHALLENGE_BOND);
    }

    function test_economics_sybilSelfReject_honestJudgedAndPaid_succeeds() public {
        sybilRace(false);
    }

    function test_economics_sybilSelfReject_honestWinsOnTime_succeeds() public {
        sybilRace(true);
    }

    // ======================================================================================================
    // (c) Burns are a counter; no ruling transfers ether
    // ======================================================================================================

    function test_economics_rulingsTransferNothing_succeeds() public {
        // Every party is a contract that refuses ether: rulings, the split and settlements still go through, the
        // game's balance never moves, and nothing reaches any burn address. Only withdraw sends ether.
        address sub = address(new Refuser());
        address c1 = address(new Refuser());
        address c2 = address(new Refuser());
        vm.deal(sub, 10 ether);
        vm.deal(c1, 10 ether);
        vm.deal(c2, 10 ether);
        (uint256 id, bytes32[] memory claimed, bytes32[] memory truth) = submitChain(3, true, 0, sub, 2 ether);
        uint256 d1 = challengeAs(id, c1);
        uint256 d2 = challengeAs(id, c2);
        uint256 held = 2 ether + 2 * CHALLENGE_BOND;
        assertEq(address(game).balance, held);

        // d1: a ruling by the judge for the challenger.
        Play memory p1 = newPlay(d1, claimed, truth, actor(false, Timing.AtOnce), actor(true, Timing.AtOnce));
        playOut(p1);
        assertEq(uint8(p1.reason), uint8(Reason.Step));
        assertEq(address(game).balance, held, "no ether moved by resolveStep");
        // d2: the challenger never answers: a timeout for the submitter, the last ruling, which splits the bond.
        postCut(Phase.Graph, sub, d2, one(keccak256("S_1")));
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d2);
        assertEq(uint8(game.dispute(d2).winner), uint8(Side.Submitter));
        assertEq(address(game).balance, held, "no ether moved by timeout");
        assertEq(game.burned(), 1 ether, "the burn is a counter");
        game.settle(d1);
        assertEq(address(game).balance, held, "no ether moved by settle");
        assertEq(address(0).balance, 0, "nothing sent to a burn address");
        assertEq(address(0x000000000000000000000000000000000000dEaD).balance, 0);

        assertEq(game.credits(c1), CHALLENGE_BOND + 1 ether);
        assertEq(game.credits(sub), CHALLENGE_BOND);
        assertEq(game.credits(c2), 0);
        // Withdrawing to a refusing contract fails and keeps the credit; nothing else is affected.
        vm.expectRevert(abi.encodeWithSelector(TransferFailed.selector, c1, CHALLENGE_BOND + 1 ether));
        vm.prank(c1);
        game.withdraw();
        assertEq(game.credits(c1), CHALLENGE_BOND + 1 ether);
        assertEq(address(game).balance, held);
    }
}

/// @dev An account that refuses every ether transfer.
contract Refuser {
    receive() external payable {
        revert("no ether, thanks");
    }
}
