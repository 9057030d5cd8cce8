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
    /// @dev Deliberately not the submission bond: every challenge stakes this, whatever the submitter staked.
    uint256 internal constant CHALLENGE_BOND = 0.4 ether;
    uint64 internal constant WINDOW = 1 days;
    uint64 internal constant CLOCK = 1 hours;
    uint64 internal constant INCREMENT = 5 minutes;

    VMJudge internal judge;
    DisputeGame internal game;

    address internal submitter = makeAddr("submitter");
    address internal challenger = makeAddr("challenger");
    address internal other = makeAddr("other");

    function setUp() public virtual {
        judge = new VMJudge();
        game = new DisputeGame(IStepJudge(address(judge)), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, INCREMENT);
        vm.deal(submitter, 100 ether);
        vm.deal(challenger, 100 ether);
        vm.deal(other, 100 ether);
        vm.warp(1_000_000);
    }

    // ------------------------------------------------------------------------------------------------------
    // Models and submissions
    // ------------------------------------------------------------------------------------------------------

    /// @dev A toy model: specs, the model as registration stores it (8-word inputs and output), the registered id.
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

    /// @dev Registers t.specs with t.model's shapes; returns the id.
    function registerToy(Toy memory t) internal returns (bytes32) {
        return game.register(t.specs, t.model.inputWords, t.model.outputSlot, t.model.outputWords);
    }

    /// @dev The toy over `specs` with `numInputs` 8-word inputs and the last node's 8-word output, registered.
    function registerSpecs(NodeSpec[] memory specs, uint32 numInputs) internal returns (Toy memory t) {
        t.specs = specs;
        t.model = ToyModels.modelOf(specs, numInputs);
        t.id = registerToy(t);
    }

    function registerChain(uint256 n, bool copy) internal returns (Toy memory t) {
        return registerSpecs(ToyModels.chainSpecs(n, copy), 1);
    }

    function registerSum4() internal returns (Toy memory t) {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = ToyModels.sum4Spec();
        return registerSpecs(specs, 4);
    }

    function words(int32[8] memory x) internal pure returns (bytes memory) {
        return ToyModels.pack(x);
    }

    /// @dev One 8-word input published by `who`; returns the upload id.
    function upload(address who, int32[8] memory x) internal returns (uint256 u) {
        vm.prank(who);
        u = game.beginInput(ToyModels.pack(x));
    }

    /// @dev Uploads tensors[0 .. k - 1] as `who`.
    function uploadInputs(address who, int32[8][] memory tensors, uint256 k) internal returns (uint256[] memory ups) {
        ups = new uint256[](k);
        for (uint256 i = 0; i < k; i++) {
            ups[i] = upload(who, tensors[i]);
        }
    }

    /// @dev Publishes the model's inputs (tensors[0 .. numInputs - 1]) and submits the output tensor `out` and S_n
    ///      of `world` (all slots filled) as `who`.
    function submitWorld(
        Toy memory t,
        int32[8][] memory tensors,
        bytes32[] memory world,
        int32[8] memory out,
        address who,
        uint256 bond
    ) internal returns (uint256 id) {
        uint256[] memory ups = uploadInputs(who, tensors, t.model.inputWords.length);
        bytes32[] memory siblings = ToyModels.slotProof(world, world.length, t.model.outputSlot);
        vm.prank(who);
        id = game.submit{value: bond}(t.id, ups, words(out), ToyModels.graphState(world, world.length), siblings);
    }

    /// @dev One tensor as a one-element array (the input list of a one-input model).
    function one8(int32[8] memory x) internal pure returns (int32[8][] memory a) {
        a = new int32[8][](1);
        a[0] = x;
    }

    function challengeAs(uint256 id, address who) internal returns (uint256 d) {
        vm.prank(who);
        d = game.challenge{value: CHALLENGE_BOND}(id);
    }

    // ------------------------------------------------------------------------------------------------------
    // Playing
    // ------------------------------------------------------------------------------------------------------

    /// @dev Graph bisection: the dispute's submitter posts claimed's states, its challenger agrees iff they match
    ///      truth's.
    ///      Returns the number of rounds.
    function playGraph(uint256 d, bytes32[] memory claimed, bytes32[] memory truth, uint256 numInputs)
        internal
        returns (uint256 rounds)
    {
        while (game.dispute(d).next == Move.PostGraphState) {
            DisputeView memory v = game.dispute(d);
            bytes32 posted = ToyModels.graphState(claimed, numInputs + v.mid);
            vm.prank(v.submitter);
            game.postGraphState(d, posted);
            vm.prank(v.challenger);
            game.respondGraph(d, posted == ToyModels.graphState(truth, numInputs + v.mid));
            rounds++;
        }
    }

    /// @dev VM bisection: the submitter posts claimed[mid], the challenger agrees iff it equals truth[mid].
    function playVM(uint256 d, bytes32[] memory claimed, bytes32[] memory truth) internal returns (uint256 rounds) {
        while (game.dispute(d).next == Move.PostVMState) {
            DisputeView memory v = game.dispute(d);
            vm.prank(v.submitter);
            game.postVMState(d, claimed[v.mid]);
            vm.prank(v.challenger);
            game.respondVM(d, claimed[v.mid] == truth[v.mid]);
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
        tp = ToyModels.transition(t.specs, j, world, t.model.inputWords.length, fin, finalMem);
    }

    /// @dev resolveStep from the true state at lo, called by `who`.
    function resolveWithTruth(uint256 d, bytes32[] memory code, bytes32[] memory mem, address who) internal {
        DisputeView memory v = game.dispute(d);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, v.lo);
        vm.prank(who);
        game.resolveStep(d, pre, proof);
    }
}
