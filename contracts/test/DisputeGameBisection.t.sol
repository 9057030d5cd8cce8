// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Commitments} from "../src/Commitments.sol";
import {Phase, Move, DisputeView} from "../src/GameTypes.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";

/// @notice The game's bisections converge in at most ceil(log2 n) rounds whatever both sides answer: over the
///         nodes of models of any size, and over the steps of runs of any length (the fixture's k = 2 game;
///         DisputeGameDissectionTest has any k).
contract DisputeGameBisectionTest is GameFixture {
    /// forge-config: default.fuzz.runs = 64
    function test_graphBisection_convergesWithinCeilLog2_succeeds(uint32 n, uint256 answers) public {
        // Registration computes the node tree from every spec, so n stays moderate here; the bound is the same
        // ceil(log2 n) for any n (BisectionTest covers positions up to 2^64).
        n = uint32(bound(n, 1, 600));
        uint256 d = disputeWithNodes(n);
        uint256 rounds = 0;
        while (game.dispute(d).next == Move.PostGraphState) {
            postCut(Phase.Graph, submitter, d, one(keccak256(abi.encode(rounds))));
            answerCut(Phase.Graph, challenger, d, Cuts.binary((answers >> (rounds % 256)) & 1 == 1));
            rounds++;
        }
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.StartVM));
        assertEq(v.hi, v.lo + 1);
        assertLe(v.hi, n);
        assertLe(rounds, Commitments.ceilLog2(n));
    }

    function test_vmBisection_convergesWithinCeilLog2_succeeds(uint64 steps, uint256 answers) public {
        // Up to the registration bound MAX_STEPS = 2^40: at most 40 rounds.
        steps = uint64(bound(steps, 1, 1 << 40));
        uint256 d = disputeWithSteps(steps);
        uint256 rounds = 0;
        while (game.dispute(d).next == Move.PostVMState) {
            postCut(Phase.VM, submitter, d, one(keccak256(abi.encode(rounds))));
            answerCut(Phase.VM, challenger, d, Cuts.binary((answers >> (rounds % 256)) & 1 == 1));
            rounds++;
        }
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
        assertEq(v.hi, v.lo + 1);
        assertLe(v.hi, steps);
        assertLe(rounds, Commitments.ceilLog2(steps));
        assertLe(rounds, 40);
    }
}
