// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, hashState, MEM_DEPTH, STATUS_RUNNING} from "../src/VMTypes.sol";
import {BadProofLength} from "../src/VMErrors.sol";
import {InputRegion, NodeSpec, Model} from "../src/ModelTypes.sol";
import {Side} from "../src/Clock.sol";
import {Phase, Move, DisputeView, TransitionProof} from "../src/GameTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {TransitionVerifier} from "../src/TransitionVerifier.sol";
import "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice startVM: the transition from the agreed graph state into the disputed node's VM run, every check of
///         docs/GAME.md, "Transition", one revert test per check. Runs on the honest 3-node chain, where a
///         challenger who agrees with every graph state leaves node 2 in dispute.
contract DisputeGameTransitionTest is GameFixture {
    bytes32 internal chainId;
    bytes32[] internal truth;
    int32[8] internal output;
    TransitionVerifier internal verifier;

    function setUp() public override {
        super.setUp();
        verifier = game.transitionVerifier();
        chainId = registerChain(3, false).id;
        int32[8][] memory tensors = ToyModels.chainTensors(input8(2), 3, false, false, 0);
        truth = ToyModels.rootsOf(tensors);
        output = tensors[3];
    }

    function chainToy() internal view returns (Toy memory t) {
        t.specs = ToyModels.chainSpecs(3, false);
        t.model = ToyModels.modelOf(t.specs, 1);
        t.id = chainId;
    }

    /// @dev An honest dispute over the chain, converged on node 2, and the honest transition witness.
    function converged() internal returns (uint256 d, TransitionProof memory tp) {
        uint256 id = submitWorld(chainToy(), one8(input8(2)), truth, output, submitter, MIN_BOND);
        d = challengeAs(id, challenger);
        playGraph(d, truth, truth, 1);
        (tp,) = honestTransition(chainToy(), 2, truth, ToyModels.chainCode(2, false));
    }

    function startAs(address who, uint256 d, TransitionProof memory tp) internal {
        vm.prank(who);
        game.startVM(d, tp);
    }

    /// @dev A one-node, one-input model with the given spec; the submission claims `out` as node 0's output.
    function disputeOne(NodeSpec memory spec, bytes32 out)
        internal
        returns (uint256 d, Toy memory t, bytes32[] memory world)
    {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = spec;
        t = registerSpecs(specs, 1);
        world = new bytes32[](2);
        world[0] = Asm.leaf(input8(6));
        world[1] = out;
        int32[8] memory outWords;
        for (uint256 i = 0; i < 8; i++) {
            outWords[i] = Asm.leafWord(out, i);
        }
        uint256 id = submitWorld(t, one8(input8(6)), world, outWords, submitter, MIN_BOND);
        d = challengeAs(id, challenger);
    }

    // ======================================================================================================
    // Success
    // ======================================================================================================

    function test_startVM_succeeds() public {
        (uint256 d, TransitionProof memory tp) = converged();
        bytes32[] memory mem = ToyModels.nodeMemory(ToyModels.chainSpec(2, false), truth);
        bytes32 initialHash = hashState(Tracer.initial(ToyModels.chainCode(2, false), mem));
        bytes32 finalHash = hashState(tp.finalState);
        vm.expectEmit(address(game));
        emit DisputeGame.VMStarted(d, 2, ToyModels.ADD_STEPS, initialHash, finalHash);
        startAs(submitter, d, tp);
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.VM));
        assertEq(v.node, 2);
        assertEq(v.lo, 0);
        assertEq(v.hi, ToyModels.ADD_STEPS);
        assertEq(v.loHash, initialHash);
        assertEq(v.hiHash, finalHash);
        assertEq(uint8(v.turn), uint8(Side.Submitter));
        assertEq(uint8(v.next), uint8(Move.PostVMState));
    }

    function test_startVM_oneStepProgram_handsChallengerTheStep_succeeds() public {
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        spec.codeRoot = SmallTree.root(new bytes32[](1), 16); // HALT
        spec.steps = 1;
        (uint256 d, Toy memory t, bytes32[] memory world) = disputeOne(spec, 0); // a HALT leaves the output zero
        bytes32[] memory mem = ToyModels.nodeMemory(spec, world);
        (VMState memory fin, bytes32[] memory finalMem) = Tracer.finish(judge, new bytes32[](1), mem, 1);
        startAs(submitter, d, ToyModels.transition(t.specs, 0, world, 1, fin, finalMem));
        DisputeView memory v = game.dispute(d);
        assertEq(v.hi, 1);
        assertEq(uint8(v.turn), uint8(Side.Challenger));
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
    }

    function test_startVM_constantInputIgnoresSlotProof_succeeds() public {
        // A weight region next to the slot input: its root comes from the spec; its slot entries are ignored.
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        InputRegion[] memory inputs = new InputRegion[](2);
        inputs[0] = spec.inputs[0];
        inputs[1] = InputRegion({fromSlot: false, slot: 77, root: keccak256("weights"), base: 16, height: 0});
        spec.inputs = inputs;
        int32[8][] memory tensors = ToyModels.chainTensors(input8(6), 1, true, false, 0);
        (uint256 d, Toy memory t, bytes32[] memory world) = disputeOne(spec, Asm.leaf(tensors[1]));
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, ToyModels.chainCode(0, true));
        assertEq(mem[2], keccak256("weights"));
        tp.slotRoots[1] = keccak256("ignored");
        tp.slotSiblings[1] = new bytes32[](5); // wrong length, ignored
        startAs(submitter, d, tp);
        assertEq(uint8(game.dispute(d).phase), uint8(Phase.VM));
    }

    // ======================================================================================================
    // Turn, phase, caller, clock
    // ======================================================================================================

    function test_startVM_notConverged_reverts() public {
        uint256 id = submitWorld(chainToy(), one8(input8(2)), truth, output, submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        (TransitionProof memory tp,) = honestTransition(chainToy(), 0, truth, ToyModels.chainCode(0, false));
        vm.expectRevert(abi.encodeWithSelector(BisectionNotConverged.selector, 0, 3));
        startAs(submitter, d, tp);
    }

    function test_startVM_wrongTurn_reverts() public {
        uint256 id = submitWorld(chainToy(), one8(input8(2)), truth, output, submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        postCut(Phase.Graph, submitter, d, one(ToyModels.graphState(truth, 2)));
        (TransitionProof memory tp,) = honestTransition(chainToy(), 0, truth, ToyModels.chainCode(0, false));
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Challenger));
        startAs(submitter, d, tp);
    }

    function test_startVM_notSubmitter_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        vm.expectRevert(abi.encodeWithSelector(NotSubmitter.selector, challenger));
        startAs(challenger, d, tp);
    }

    function test_startVM_twice_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        startAs(submitter, d, tp);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.VM));
        startAs(submitter, d, tp);
    }

    function test_startVM_clockSpent_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        uint256 deadline = game.dispute(d).deadline;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(ClockSpent.selector, deadline));
        startAs(submitter, d, tp);
    }

    // ======================================================================================================
    // Node proof
    // ======================================================================================================

    /// forge-config: default.fuzz.runs = 32
    function test_startVM_wrongNodeSibling_reverts(uint256 level) public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.nodeSiblings[bound(level, 0, 1)] = keccak256("wrong");
        vm.expectRevert(InvalidNodeProof.selector);
        startAs(submitter, d, tp);
    }

    function test_startVM_otherNodesSpec_reverts() public {
        // Node 1's spec with node 1's own valid proof: the game proves index j = 2, taken from the bisection.
        (uint256 d, TransitionProof memory tp) = converged();
        NodeSpec[] memory specs = ToyModels.chainSpecs(3, false);
        tp.spec = specs[1];
        tp.nodeSiblings = SmallTree.proof(ToyModels.nodeLeaves(specs), 1, 2);
        vm.expectRevert(InvalidNodeProof.selector);
        startAs(submitter, d, tp);
    }

    function test_startVM_tamperedSpec_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.spec.steps += 1;
        vm.expectRevert(InvalidNodeProof.selector);
        startAs(submitter, d, tp);
    }

    function test_startVM_nodeProofLength_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.nodeSiblings = new bytes32[](1);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, 2, 1));
        startAs(submitter, d, tp);
    }

    /// @dev The verifier called directly with a model as registration would store it for `spec` (one node, one
    ///      8-word input), though registration would refuse the spec: the transition's own checks still hold
    ///      (defence in depth behind ModelValidator).
    function verifyUnregistered(NodeSpec memory spec) internal view returns (bytes32, bytes32, uint64) {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = spec;
        bytes32[] memory world = new bytes32[](2);
        world[0] = Asm.leaf(input8(6));
        VMState memory fin;
        TransitionProof memory tp = ToyModels.transition(specs, 0, world, 1, fin, new bytes32[](2));
        return verifier.verify(
            ToyModels.modelOf(specs, 1), 0, ToyModels.graphState(world, 1), ToyModels.graphState(world, 2), tp
        );
    }

    function test_verify_zeroSteps_reverts() public {
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        spec.steps = 0;
        vm.expectRevert(ZeroSteps.selector);
        verifyUnregistered(spec);
    }

    function test_register_zeroStepsNeverReachesStartVM_reverts() public {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = ToyModels.chainSpec(0, true);
        specs[0].steps = 0;
        Model memory m = ToyModels.modelOf(specs, 1);
        vm.expectRevert(ZeroSteps.selector);
        game.register(specs, m.inputWords, m.outputSlot, m.outputWords);
    }

    // ======================================================================================================
    // Slot proofs and memory composition
    // ======================================================================================================

    function test_startVM_wrongSlotRoot_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.slotRoots[0] = truth[1]; // a real tensor, but not slot 2's
        vm.expectRevert(abi.encodeWithSelector(InvalidSlotProof.selector, 0));
        startAs(submitter, d, tp);
    }

    /// forge-config: default.fuzz.runs = 32
    function test_startVM_wrongSlotSibling_reverts(uint256 level) public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.slotSiblings[0][bound(level, 0, 1)] = keccak256("wrong");
        vm.expectRevert(abi.encodeWithSelector(InvalidSlotProof.selector, 0));
        startAs(submitter, d, tp);
    }

    function test_startVM_slotProofLength_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.slotSiblings[0] = new bytes32[](3);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, 2, 3));
        startAs(submitter, d, tp);
    }

    function test_startVM_slotRootCount_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.slotRoots = new bytes32[](2);
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 2));
        startAs(submitter, d, tp);
    }

    function test_startVM_slotProofCount_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.slotSiblings = new bytes32[][](0);
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 0));
        startAs(submitter, d, tp);
    }

    function test_verify_misalignedRegion_reverts() public {
        // A spec that breaks the layout rules (registration refuses it) could never start: composeMemory reverts.
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        spec.inputs[0].base = 4;
        vm.expectRevert(abi.encodeWithSelector(RegionMisaligned.selector, 4, 0));
        verifyUnregistered(spec);
    }

    function test_verify_unsortedRegions_reverts() public {
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        InputRegion[] memory inputs = new InputRegion[](2);
        inputs[0] = InputRegion({fromSlot: false, slot: 0, root: keccak256("w"), base: 16, height: 0});
        inputs[1] = spec.inputs[0];
        spec.inputs = inputs;
        vm.expectRevert(abi.encodeWithSelector(RegionsOverlap.selector, 0, 0));
        verifyUnregistered(spec);
    }

    function test_verify_honestTransition_succeeds() public view {
        // The same witness the game accepts, checked by the verifier alone, gives the game's hashes.
        NodeSpec memory spec = ToyModels.chainSpec(0, true);
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = spec;
        int32[8][] memory tensors = ToyModels.chainTensors(input8(6), 1, true, false, 0);
        bytes32[] memory world = ToyModels.rootsOf(tensors);
        bytes32[] memory code = ToyModels.chainCode(0, true);
        bytes32[] memory mem = ToyModels.nodeMemory(spec, world);
        (VMState memory fin, bytes32[] memory finalMem) = Tracer.finish(judge, code, mem, spec.steps);
        TransitionProof memory tp = ToyModels.transition(specs, 0, world, 1, fin, finalMem);
        (bytes32 initialHash, bytes32 finalHash, uint64 steps) = verifier.verify(
            ToyModels.modelOf(specs, 1), 0, ToyModels.graphState(world, 1), ToyModels.graphState(world, 2), tp
        );
        assertEq(initialHash, hashState(Tracer.initial(code, mem)));
        assertEq(finalHash, hashState(fin));
        assertEq(steps, spec.steps);
    }

    // ======================================================================================================
    // Final state
    // ======================================================================================================

    function test_startVM_finalNotHalted_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.finalState.status = STATUS_RUNNING;
        vm.expectRevert(abi.encodeWithSelector(FinalNotHalted.selector, STATUS_RUNNING));
        startAs(submitter, d, tp);
    }

    function test_startVM_finalTrapped_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.finalState.status = 2;
        vm.expectRevert(abi.encodeWithSelector(FinalNotHalted.selector, 2));
        startAs(submitter, d, tp);
    }

    /// forge-config: default.fuzz.runs = 32
    function test_startVM_wrongStepCount_reverts(uint64 step) public {
        (uint256 d, TransitionProof memory tp) = converged();
        vm.assume(step != ToyModels.ADD_STEPS);
        tp.finalState.step = step;
        vm.expectRevert(abi.encodeWithSelector(WrongStepCount.selector, ToyModels.ADD_STEPS, step));
        startAs(submitter, d, tp);
    }

    function test_startVM_codeRootMismatch_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.finalState.codeRoot = keccak256("another program");
        vm.expectRevert(
            abi.encodeWithSelector(CodeRootMismatch.selector, tp.spec.codeRoot, keccak256("another program"))
        );
        startAs(submitter, d, tp);
    }

    // ======================================================================================================
    // Output: in the final memory, and in S_hi
    // ======================================================================================================

    function test_startVM_outputRootMismatch_reverts() public {
        // R is not what the final memory holds at the output region.
        (uint256 d, TransitionProof memory tp) = converged();
        tp.outRoot = truth[2];
        vm.expectRevert(InvalidOutputProof.selector);
        startAs(submitter, d, tp);
    }

    /// forge-config: default.fuzz.runs = 32
    function test_startVM_wrongOutputSibling_reverts(uint256 level) public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.outSiblings[bound(level, 0, MEM_DEPTH - 1)] = keccak256("wrong");
        vm.expectRevert(InvalidOutputProof.selector);
        startAs(submitter, d, tp);
    }

    function test_startVM_outputProofLength_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.outSiblings = new bytes32[](MEM_DEPTH - 1);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, MEM_DEPTH, MEM_DEPTH - 1));
        startAs(submitter, d, tp);
    }

    function test_startVM_outputSlotNotEmpty_reverts() public {
        // The submitter's S_1 already holds node 1's output; a careless challenger agreed to it.
        Toy memory t = registerChain(2, false);
        int32[8][] memory tensors = ToyModels.chainTensors(input8(2), 2, false, false, 0);
        bytes32[] memory world = ToyModels.rootsOf(tensors);
        uint256 id = submitWorld(t, tensors, world, tensors[2], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        postCut(Phase.Graph, submitter, d, one(ToyModels.graphState(world, 3)));
        answerCut(Phase.Graph, challenger, d, Cuts.AGREE); // lo = 1, hi = 2
        (TransitionProof memory tp,) = honestTransition(t, 1, world, ToyModels.chainCode(1, false));
        // Proofs against that S_lo (every slot filled).
        tp.slotSiblings[0] = ToyModels.slotProof(world, 3, 1);
        tp.outSlotSiblings = ToyModels.slotProof(world, 3, 2);
        vm.expectRevert(abi.encodeWithSelector(OutputSlotNotEmpty.selector, 2));
        startAs(submitter, d, tp);
    }

    function test_startVM_inconsistentGraphState_reverts() public {
        // A liar claims node 2's output is off by one; its honest VM run cannot produce that S_hi.
        int32[8][] memory lieTensors = ToyModels.chainTensors(input8(2), 3, false, true, 2);
        bytes32[] memory lie = ToyModels.rootsOf(lieTensors);
        uint256 id = submitWorld(chainToy(), lieTensors, lie, lieTensors[3], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        playGraph(d, lie, truth, 1);
        assertEq(game.dispute(d).lo, 2);
        (TransitionProof memory tp,) = honestTransition(chainToy(), 2, truth, ToyModels.chainCode(2, false));
        bytes32 computed = ToyModels.graphState(truth, 4);
        vm.expectRevert(abi.encodeWithSelector(InconsistentGraphState.selector, ToyModels.graphState(lie, 4), computed));
        startAs(submitter, d, tp);
    }

    function test_startVM_outputSlotProofLength_reverts() public {
        (uint256 d, TransitionProof memory tp) = converged();
        tp.outSlotSiblings = new bytes32[](1);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, 2, 1));
        startAs(submitter, d, tp);
    }
}
