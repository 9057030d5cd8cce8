// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, StepProof, STATUS_HALTED, MEM_DEPTH, hashState} from "../../src/VMTypes.sol";
import {NodeSpec, Model} from "../../src/ModelTypes.sol";
import {Commitments} from "../../src/Commitments.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {IStepJudge} from "../../src/IStepJudge.sol";
import {Phase, Move, DisputeView, TransitionProof} from "../../src/GameTypes.sol";
import {Tracer} from "./Tracer.sol";
import {ToyModels} from "./ToyModels.sol";
import {SmallTree} from "./SmallTree.sol";
import {Asm} from "./Asm.sol";
import {Cuts} from "./Cuts.sol";

/// @notice A deployed game with the real judge, three actors, and the toy models ready to submit and play.
abstract contract GameFixture is Test {
    uint256 internal constant MIN_BOND = 1 ether;
    /// @dev Deliberately not the submission bond: every challenge stakes this, whatever the submitter staked.
    uint256 internal constant CHALLENGE_BOND = 0.4 ether;
    uint64 internal constant WINDOW = 1 days;
    uint64 internal constant CLOCK = 1 hours;
    uint64 internal constant INCREMENT = 5 minutes;
    /// @dev The fixture's game bisects (k = 2): the tests written for the binary game keep their positions.
    uint256 internal constant ARITY = 2;

    VMJudge internal judge;
    DisputeGame internal game;

    /// @dev The states last given to postCut in each dispute (a post expected to revert included: post again
    ///      before answering), which answerCut resupplies. The contract keeps only their hash; a real challenger
    ///      reads them from the StatesPosted event.
    mapping(uint256 => bytes32[]) internal posted;

    address internal submitter = makeAddr("submitter");
    address internal challenger = makeAddr("challenger");
    address internal other = makeAddr("other");

    function setUp() public virtual {
        judge = new VMJudge();
        game = deployGame(ARITY);
        vm.deal(submitter, 100 ether);
        vm.deal(challenger, 100 ether);
        vm.deal(other, 100 ether);
        vm.warp(1_000_000);
    }

    /// @dev A game with the fixture's parameters and judge at arity k (the fixture's own is deployGame(ARITY)).
    function deployGame(uint256 k) internal returns (DisputeGame) {
        return new DisputeGame(IStepJudge(address(judge)), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, INCREMENT, k);
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
    /// @dev The liar's startVM for chain node j: the node's true run on the agreed input, its final memory forged to
    ///      hold the liar's output lie[j + 1]. Returns the node's code and initial memory, the true VM state hashes
    ///      and the liar's claims (the true hashes, the forged final state last).
    function liarTransition(Toy memory t, uint256 d, uint256 j, bytes32[] memory lie)
        internal
        returns (bytes32[] memory code, bytes32[] memory mem, bytes32[] memory honest, bytes32[] memory claimed)
    {
        code = ToyModels.chainCode(j, false);
        mem = ToyModels.nodeMemory(t.specs[j], lie);
        (VMState memory fin, bytes32[] memory finalMem) = Tracer.finish(judge, code, mem, ToyModels.ADD_STEPS);
        finalMem[1] = lie[j + 1];
        fin.memRoot = SmallTree.root(finalMem, MEM_DEPTH);
        vm.prank(submitter);
        game.startVM(d, ToyModels.transition(t.specs, j, lie, 1, fin, finalMem));
        honest = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS);
        claimed = Tracer.copy(honest);
        claimed[ToyModels.ADD_STEPS] = hashState(fin);
    }

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
    // Disputes over intervals of any length (positions only: neither side's states are real)
    // ------------------------------------------------------------------------------------------------------

    /// @dev Registers an n-node model whose output slot is its input slot 0 (so S_n can be the state holding the
    ///      input alone: cheap for any n), submits, and challenges. Every node is the one-node copy spec reading
    ///      slot 0 (valid at any position; never run here).
    function disputeWithNodes(uint32 n) internal returns (uint256 d) {
        NodeSpec[] memory specs = new NodeSpec[](n);
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        for (uint256 j = 0; j < n; j++) {
            specs[j] = spec;
        }
        uint32[] memory inputWords = new uint32[](1);
        inputWords[0] = 8;
        bytes32 id = game.register(specs, inputWords, 0, 8);
        int32[8] memory x = input8(9);
        uint256 depth = Commitments.slotDepth(uint256(n) + 1);
        bytes32[] memory siblings = new bytes32[](depth);
        for (uint256 h = 0; h < depth; h++) {
            siblings[h] = SmallTree.zero(h);
        }
        uint256[] memory ups = new uint256[](1);
        ups[0] = upload(submitter, x);
        vm.prank(submitter);
        uint256 sid =
            game.submit{value: MIN_BOND}(id, ups, words(x), SmallTree.fold(Asm.leaf(x), 0, siblings), siblings);
        d = challengeAs(sid, challenger);
    }

    /// @dev A one-node model whose spec claims T steps; the submitter's final state is fabricated (the game checks
    ///      only its fields and output here, not that the program really takes T steps).
    function disputeWithSteps(uint64 steps) internal returns (uint256 d) {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = ToyModels.chainSpec(0, true);
        specs[0].steps = steps;
        Toy memory t = registerSpecs(specs, 1);
        int32[8] memory x = input8(8);
        bytes32[] memory world = new bytes32[](2);
        world[0] = Asm.leaf(x);
        world[1] = Asm.leaf(x);
        uint256 id = submitWorld(t, one8(x), world, x, submitter, MIN_BOND);
        d = challengeAs(id, challenger);
        VMState memory fin;
        fin.codeRoot = specs[0].codeRoot;
        fin.memRoot = SmallTree.root(world, MEM_DEPTH);
        fin.step = steps;
        fin.status = STATUS_HALTED;
        vm.prank(submitter);
        game.startVM(d, ToyModels.transition(specs, 0, world, 1, fin, world));
    }

    // ------------------------------------------------------------------------------------------------------
    // Playing
    // ------------------------------------------------------------------------------------------------------

    /// @dev `who` posts `states` in `phase`'s dissection of dispute d; they are remembered for answerCut.
    function postCut(Phase phase, address who, uint256 d, bytes32[] memory states) internal {
        posted[d] = states;
        vm.prank(who);
        if (phase == Phase.Graph) game.postGraphStates(d, states);
        else if (phase == Phase.Tile) game.postTileStates(d, states);
        else game.postVMStates(d, states);
    }

    /// @dev `who` names part `part` of the last cut posted in dispute d, resupplying its states as posted.
    function answerCut(Phase phase, address who, uint256 d, uint256 part) internal {
        bytes32[] memory states = posted[d];
        vm.prank(who);
        if (phase == Phase.Graph) game.respondGraph(d, part, states);
        else if (phase == Phase.Tile) game.respondTile(d, part, states);
        else game.respondVM(d, part, states);
    }

    /// @dev The move that posts in `phase`.
    function postMove(Phase phase) internal pure returns (Move) {
        if (phase == Phase.Graph) return Move.PostGraphState;
        if (phase == Phase.Tile) return Move.PostTileState;
        return Move.PostVMState;
    }

    /// @dev One phase's dissection of dispute d, played while the submitter is to post: it posts `claimed` (one
    ///      hash per position) at the cut's inner positions, and the challenger names the first part whose end is
    ///      not `truth`'s (the last part when every posted state is). `truth` = `claimed` agrees with everything;
    ///      a `truth` matching nothing disputes everything. Returns the number of rounds.
    function playCuts(uint256 d, Phase phase, bytes32[] memory claimed, bytes32[] memory truth)
        internal
        returns (uint256 rounds)
    {
        Move post = postMove(phase);
        while (game.dispute(d).next == post) {
            DisputeView memory v = game.dispute(d);
            assertEq(v.parts, Cuts.parts(v.lo, v.hi, game.arity()), "the view's parts: min(k, hi - lo)");
            bytes32[] memory states = Cuts.pick(claimed, v.lo, v.hi, v.parts);
            postCut(phase, v.submitter, d, states);
            answerCut(phase, v.challenger, d, Cuts.firstWrong(states, Cuts.pick(truth, v.lo, v.hi, v.parts)));
            rounds++;
        }
    }

    /// @dev S_0 .. S_n of `world` (n = its slots less numInputs): the graph state at each node position.
    function graphStates(bytes32[] memory world, uint256 numInputs) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](world.length - numInputs + 1);
        for (uint256 p = 0; p < s.length; p++) {
            s[p] = ToyModels.graphState(world, numInputs + p);
        }
    }

    /// @dev Graph dissection: the dispute's submitter posts claimed's states, its challenger names the first part
    ///      whose end differs from truth's (playCuts). Returns the number of rounds.
    function playGraph(uint256 d, bytes32[] memory claimed, bytes32[] memory truth, uint256 numInputs)
        internal
        returns (uint256 rounds)
    {
        return playCuts(d, Phase.Graph, graphStates(claimed, numInputs), graphStates(truth, numInputs));
    }

    /// @dev VM dissection: the submitter posts claimed's hashes, the challenger names the first part whose end is
    ///      not truth's (playCuts).
    function playVM(uint256 d, bytes32[] memory claimed, bytes32[] memory truth) internal returns (uint256 rounds) {
        return playCuts(d, Phase.VM, claimed, truth);
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
