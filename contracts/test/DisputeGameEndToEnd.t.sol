// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, hashState, MEM_DEPTH} from "../src/VMTypes.sol";
import {Side} from "../src/Clock.sol";
import {SubmissionStatus, Phase, Reason, Move, DisputeView, TransitionProof} from "../src/GameTypes.sol";
import {Merkle} from "../src/Merkle.sol";
import {Numerics} from "../src/Numerics.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice Whole disputes over tiny real models, every VM state produced by running the program through the real
///         judge: a lying submitter loses to an honest challenger at the exact step it lied; a lying challenger
///         loses to an honest submitter, by the judge or on time.
contract DisputeGameEndToEndTest is GameFixture {
    /// @dev The copy model: one node, out = in0 (LOAD, STORE per word, HALT: 17 steps).
    function copyModel() internal returns (Toy memory t, bytes32[] memory code) {
        t = registerChain(1, true);
        code = ToyModels.chainCode(0, true);
    }

    /// @dev The liar's VM trace for the copy node: the honest run, except that from step 2 on (after the STORE of
    ///      word 0) its memory holds word 0 of the output plus one. Returns its states and the honest hashes.
    function lyingCopyTrace(bytes32[] memory code, bytes32[] memory mem0)
        internal
        view
        returns (VMState[] memory lie, bytes32[] memory lieHashes, bytes32[] memory truth, bytes32[] memory lieMem)
    {
        uint256 steps = ToyModels.COPY_STEPS;
        bytes32[] memory mem = Tracer.copy(mem0);
        VMState memory s = Tracer.initial(code, mem);
        lie = new VMState[](steps + 1);
        lieHashes = new bytes32[](steps + 1);
        truth = new bytes32[](steps + 1);
        for (uint256 k = 0; k <= steps; k++) {
            if (k > 0) (s,) = Tracer.step(judge, s, code, mem);
            truth[k] = hashState(s);
            lie[k] = abi.decode(abi.encode(s), (VMState));
            if (k >= 2) {
                lieMem = Tracer.copy(mem);
                lieMem[1] = Merkle.withWord(mem[1], 0, Numerics.add32(Merkle.wordAt(mem[1], 0), 1));
                lie[k].memRoot = SmallTree.root(lieMem, MEM_DEPTH);
            }
            lieHashes[k] = hashState(lie[k]);
        }
    }

    /// @dev The liar submits the copy model's output with word 0 off by one, is challenged, proves its transition
    ///      and plays the VM bisection against an honest challenger. Returns the node's initial memory.
    function lieAboutCopy(Toy memory t, bytes32[] memory code)
        internal
        returns (uint256 id, uint256 d, bytes32[] memory mem)
    {
        int32[8] memory x = input8(3);
        int32[8][] memory lieTensors = ToyModels.chainTensors(x, 1, true, true, 0);
        bytes32[] memory lieWorld = ToyModels.rootsOf(lieTensors);
        assertTrue(lieWorld[1] != ToyModels.chainWorld(x, 1, true, false, 0)[1]);

        id = submitWorld(t, lieTensors, lieWorld, lieTensors[1], submitter, 2 ether);
        d = challengeAs(id, challenger);

        // One node: the graph phase has converged already; the liar must prove its transition.
        assertEq(uint8(game.dispute(d).next), uint8(Move.StartVM));
        mem = ToyModels.nodeMemory(t.specs[0], lieWorld);
        (VMState[] memory lie, bytes32[] memory lieHashes, bytes32[] memory truth, bytes32[] memory lieMem) =
            lyingCopyTrace(code, mem);
        TransitionProof memory tp = ToyModels.transition(t.specs, 0, lieWorld, 1, lie[ToyModels.COPY_STEPS], lieMem);
        assertEq(tp.outRoot, lieWorld[1], "the liar's final memory holds its claimed output");
        vm.prank(submitter);
        game.startVM(d, tp);
        assertEq(game.dispute(d).loHash, truth[0], "the initial state is composed on-chain from agreed roots");
        assertLe(playVM(d, lieHashes, truth), 5); // ceil(log2 17)
    }

    function test_endToEnd_submitterLiesAtOutput_challengerWinsByStep_succeeds() public {
        (Toy memory t, bytes32[] memory code) = copyModel();
        (uint256 id, uint256 d, bytes32[] memory mem) = lieAboutCopy(t, code);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, 1);
        assertEq(v.hi, 2); // the STORE of word 0
        assertEq(uint8(v.next), uint8(Move.ResolveStep));

        resolveWithTruth(d, code, mem, challenger);
        v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.Resolved));
        assertEq(uint8(v.winner), uint8(Side.Challenger));
        assertEq(uint8(v.reason), uint8(Reason.Step));
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
        assertEq(game.credits(challenger), CHALLENGE_BOND, "its own bond back at the ruling");
        assertEq(game.credits(submitter), 0);
        assertEq(game.burned(), 1 ether, "half the submitter's 2 ether burned");
        game.settle(d);
        assertEq(game.credits(challenger), CHALLENGE_BOND + 1 ether, "plus the other half");

        uint256 before = challenger.balance;
        vm.prank(challenger);
        game.withdraw();
        assertEq(challenger.balance, before + CHALLENGE_BOND + 1 ether);
        assertEq(address(game).balance, game.burned(), "only the burned half stays, owed to nobody");
    }

    function test_endToEnd_challengerLies_submitterWinsByStep_succeeds() public {
        (Toy memory t, bytes32[] memory code) = copyModel();
        int32[8] memory x = input8(-7);
        int32[8][] memory tensors = ToyModels.chainTensors(x, 1, true, false, 0);
        bytes32[] memory world = ToyModels.rootsOf(tensors);
        uint256 id = submitWorld(t, tensors, world, tensors[1], submitter, 1 ether);
        uint256 d = challengeAs(id, challenger);

        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.COPY_STEPS);
        // The challenger disagrees with everything: the bisection runs down to the first step.
        playVM(d, honest, new bytes32[](honest.length));
        assertEq(game.dispute(d).lo, 0);
        assertEq(game.dispute(d).hi, 1);

        resolveWithTruth(d, code, mem, challenger);
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.winner), uint8(Side.Submitter));
        assertEq(uint8(v.reason), uint8(Reason.Step));
        assertEq(game.credits(submitter), CHALLENGE_BOND, "the challenger's bond");

        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        assertEq(game.credits(submitter), CHALLENGE_BOND + 1 ether, "plus its own bond back");
        uint256 before = submitter.balance;
        vm.prank(submitter);
        game.withdraw();
        assertEq(submitter.balance, before + CHALLENGE_BOND + 1 ether);
        assertEq(address(game).balance, 0);
    }

    function test_endToEnd_challengerLiesAndStalls_submitterWinsOnTime_succeeds() public {
        (Toy memory t, bytes32[] memory code) = copyModel();
        int32[8][] memory tensors = ToyModels.chainTensors(input8(1), 1, true, false, 0);
        bytes32[] memory world = ToyModels.rootsOf(tensors);
        uint256 id = submitWorld(t, tensors, world, tensors[1], submitter, 1 ether);
        uint256 d = challengeAs(id, challenger);
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.COPY_STEPS);
        DisputeView memory v = game.dispute(d);
        postCut(Phase.VM, submitter, d, Cuts.pick(honest, v.lo, v.hi, v.parts));

        // The challenger never answers.
        v = game.dispute(d);
        vm.warp(v.deadline);
        game.timeout(d);
        v = game.dispute(d);
        assertEq(uint8(v.winner), uint8(Side.Submitter));
        assertEq(uint8(v.reason), uint8(Reason.Timeout));
        assertEq(game.credits(submitter), CHALLENGE_BOND);
    }

    /// @dev The liar proves a transition for node j whose final state is the honest one with the liar's output
    ///      written into memory, then plays the VM bisection (honest hashes but the last) against the truth.
    function startWithFakeFinal(Toy memory t, uint256 d, uint256 j, bytes32[] memory lie)
        internal
        returns (bytes32[] memory code, bytes32[] memory mem)
    {
        bytes32[] memory honest;
        bytes32[] memory claimed;
        (code, mem, honest, claimed) = liarTransition(t, d, j, lie);
        playVM(d, claimed, honest);
    }

    function test_endToEnd_chainLieAtMiddleNode_twoChallengers_succeeds() public {
        // Five nodes; the liar's node 2 adds one too many to word 0, and nodes 3, 4 compute on from its lie.
        Toy memory t = registerChain(5, false);
        int32[8] memory x = input8(4);
        bytes32[] memory truth = ToyModels.chainWorld(x, 5, false, false, 0);
        int32[8][] memory lieTensors = ToyModels.chainTensors(x, 5, false, true, 2);
        bytes32[] memory lie = ToyModels.rootsOf(lieTensors);
        uint256 id = submitWorld(t, lieTensors, lie, lieTensors[5], submitter, 1 ether);
        uint256 d = challengeAs(id, challenger);
        uint256 d2 = challengeAs(id, other);

        uint256 rounds = playGraph(d, lie, truth, 1);
        assertLe(rounds, 3); // ceil(log2 5)
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, 2, "the first node in dispute is the one that lied");
        assertEq(v.hi, 3);

        (bytes32[] memory code, bytes32[] memory mem) = startWithFakeFinal(t, d, 2, lie);
        assertEq(game.dispute(d).node, 2);
        v = game.dispute(d);
        assertEq(v.lo, ToyModels.ADD_STEPS - 1);
        assertEq(v.hi, ToyModels.ADD_STEPS); // the HALT step

        // Anyone may resolve; the judge's HALT gives the honest final state, not the liar's.
        resolveWithTruth(d, code, mem, other);
        assertEq(uint8(game.dispute(d).winner), uint8(Side.Challenger));
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
        assertEq(game.credits(challenger), CHALLENGE_BOND);
        assertEq(uint8(game.dispute(d).next), uint8(Move.None), "no share before d2 is ruled");

        // The second dispute runs to its own ruling after the rejection: the second honest challenger wins too.
        assertEq(uint8(game.dispute(d2).next), uint8(Move.PostGraphState));
        playGraph(d2, lie, truth, 1);
        assertEq(game.dispute(d2).lo, 2);
        startWithFakeFinal(t, d2, 2, lie);
        resolveWithTruth(d2, code, mem, other);
        assertEq(uint8(game.dispute(d2).winner), uint8(Side.Challenger));
        assertEq(uint8(game.dispute(d2).reason), uint8(Reason.Step));
        assertEq(game.submission(id).winners, 2);
        game.settle(d);
        game.settle(d2);
        assertEq(game.credits(challenger), CHALLENGE_BOND + 0.25 ether, "half the bond shared by two winners");
        assertEq(game.credits(other), CHALLENGE_BOND + 0.25 ether);
        assertEq(game.burned(), 0.5 ether);
        assertEq(address(game).balance, 1 ether + 2 * CHALLENGE_BOND, "nothing transferred before withdrawals");
    }

    function test_endToEnd_sum4Node_submitterWins_succeeds() public {
        // Four inputs composed into one memory on-chain; a griefing challenger who disputes the honest sum loses.
        Toy memory t = registerSum4();
        int32[8][] memory tensors = new int32[8][](5);
        for (uint256 i = 0; i < 4; i++) {
            tensors[i] = input8(int32(int256(i)) - 2);
        }
        for (uint256 w = 0; w < 8; w++) {
            tensors[4][w] = tensors[0][w] + tensors[1][w] + tensors[2][w] + tensors[3][w];
        }
        bytes32[] memory world = ToyModels.rootsOf(tensors);
        uint256 id = submitWorld(t, tensors, world, tensors[4], submitter, 1 ether);
        uint256 d = challengeAs(id, challenger);
        bytes32[] memory code = Asm.sum4Program();
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.SUM4_STEPS);
        assertEq(game.dispute(d).hiHash, honest[ToyModels.SUM4_STEPS]);
        // The challenger agrees with everything but the final state.
        bytes32[] memory wrongTruth = Tracer.copy(honest);
        wrongTruth[ToyModels.SUM4_STEPS] = keccak256("the challenger's belief");
        playVM(d, honest, wrongTruth);
        assertEq(game.dispute(d).lo, ToyModels.SUM4_STEPS - 1);
        resolveWithTruth(d, code, mem, challenger);
        assertEq(uint8(game.dispute(d).winner), uint8(Side.Submitter));
    }
}
