// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, StepProof} from "../../src/VMTypes.sol";
import {NodeSpec, Model} from "../../src/ModelTypes.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {IStepJudge} from "../../src/IStepJudge.sol";
import {Move, DisputeView, TransitionProof} from "../../src/GameTypes.sol";
import {Tracer} from "./Tracer.sol";
import {ToyModels} from "./ToyModels.sol";

/// @notice A deployed game with the real judge, three actors, and the toy models ready to submit and play.
abstract contract GameFixture is Test {
    uint256 internal constant MIN_BOND = 1 ether;
    uint64 internal constant WINDOW = 1 days;
    uint64 internal constant CLOCK = 1 hours;

    VMJudge internal judge;
    DisputeGame internal game;

    address internal submitter = makeAddr("submitter");
    address internal challenger = makeAddr("challenger");
    address internal other = makeAddr("other");

    function setUp() public virtual {
        judge = new VMJudge();
        game = new DisputeGame(IStepJudge(address(judge)), MIN_BOND, WINDOW, CLOCK);
        vm.deal(submitter, 100 ether);
        vm.deal(challenger, 100 ether);
        vm.deal(other, 100 ether);
        vm.warp(1_000_000);
    }

    // ------------------------------------------------------------------------------------------------------
    // Models and submissions
    // ------------------------------------------------------------------------------------------------------

    /// @dev A toy model: specs, the registered id, the input count.
    struct Toy {
        NodeSpec[] specs;
        Model model;
        bytes32 id;
    }

    function input8(int32 seed) internal pure returns (int32[8] memory x) {
        for (uint256 i = 0; i < 8; i++) {
            x[i] = seed * 10 + int32(int256(i));
        }
    }

    function registerChain(uint256 n, bool copy) internal returns (Toy memory t) {
        t.specs = ToyModels.chainSpecs(n, copy);
        t.model = ToyModels.modelOf(t.specs, 1);
        t.id = game.register(t.model);
    }

    function registerSum4() internal returns (Toy memory t) {
        t.specs = new NodeSpec[](1);
        t.specs[0] = ToyModels.sum4Spec();
        t.model = ToyModels.modelOf(t.specs, 4);
        t.id = game.register(t.model);
    }

    function words(int32[8] memory x) internal pure returns (int32[] memory w) {
        w = new int32[](8);
        for (uint256 i = 0; i < 8; i++) {
            w[i] = x[i];
        }
    }

    /// @dev Submits the output tensor `out` and S_n of `world` (all slots filled) as `who`.
    function submitWorld(Toy memory t, bytes32[] memory world, int32[8] memory out, address who, uint256 bond)
        internal
        returns (uint256 id)
    {
        uint256 k = t.model.numInputs;
        bytes32[] memory inputs = new bytes32[](k);
        for (uint256 i = 0; i < k; i++) {
            inputs[i] = world[i];
        }
        bytes32[] memory siblings = ToyModels.slotProof(world, world.length, t.model.outputSlot);
        vm.prank(who);
        id = game.submit{value: bond}(t.id, inputs, words(out), ToyModels.graphState(world, world.length), siblings);
    }

    function challengeAs(uint256 id, address who) internal returns (uint256 d) {
        uint256 bond = game.submission(id).bond;
        vm.prank(who);
        d = game.challenge{value: bond}(id);
    }

    // ------------------------------------------------------------------------------------------------------
    // Playing
    // ------------------------------------------------------------------------------------------------------

    /// @dev Graph bisection: the submitter posts claimed's states, the challenger agrees iff they match truth's.
    ///      Returns the number of rounds.
    function playGraph(uint256 d, bytes32[] memory claimed, bytes32[] memory truth, uint256 numInputs)
        internal
        returns (uint256 rounds)
    {
        while (game.dispute(d).next == Move.PostGraphState) {
            uint64 mid = game.dispute(d).mid;
            bytes32 posted = ToyModels.graphState(claimed, numInputs + mid);
            vm.prank(submitter);
            game.postGraphState(d, posted);
            vm.prank(challenger);
            game.respondGraph(d, posted == ToyModels.graphState(truth, numInputs + mid));
            rounds++;
        }
    }

    /// @dev VM bisection: the submitter posts claimed[mid], the challenger agrees iff it equals truth[mid].
    function playVM(uint256 d, bytes32[] memory claimed, bytes32[] memory truth) internal returns (uint256 rounds) {
        while (game.dispute(d).next == Move.PostVMState) {
            uint64 mid = game.dispute(d).mid;
            vm.prank(submitter);
            game.postVMState(d, claimed[mid]);
            vm.prank(challenger);
            game.respondVM(d, claimed[mid] == truth[mid]);
            rounds++;
        }
    }

    /// @dev Honest transition for node j of `t` in `world`: the real run of the node's program on its inputs.
    function honestTransition(Toy memory t, uint256 j, bytes32[] memory world, bytes32[] memory code)
        internal
        view
        returns (TransitionProof memory tp, bytes32[] memory mem)
    {
        mem = ToyModels.nodeMemory(t.specs[j], world);
        (VMState memory fin, bytes32[] memory finalMem) = Tracer.finish(judge, code, mem, t.specs[j].steps);
        tp = ToyModels.transition(t.specs, j, world, t.model.numInputs, fin, finalMem);
    }

    /// @dev resolveStep from the true state at lo, called by `who`.
    function resolveWithTruth(uint256 d, bytes32[] memory code, bytes32[] memory mem, address who) internal {
        DisputeView memory v = game.dispute(d);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, v.lo);
        vm.prank(who);
        game.resolveStep(d, pre, proof);
    }
}
