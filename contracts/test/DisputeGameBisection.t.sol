// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, STATUS_HALTED, MEM_DEPTH} from "../src/VMTypes.sol";
import {NodeSpec, Model} from "../src/ModelTypes.sol";
import {Commitments} from "../src/Commitments.sol";
import {Move, DisputeView} from "../src/GameTypes.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice The game's bisections converge in at most ceil(log2 n) rounds whatever both sides answer: over the
///         nodes of models of any size, and over the steps of runs of any length.
contract DisputeGameBisectionTest is GameFixture {
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

    /// forge-config: default.fuzz.runs = 64
    function test_graphBisection_convergesWithinCeilLog2_succeeds(uint32 n, uint256 answers) public {
        // Registration computes the node tree from every spec, so n stays moderate here; the bound is the same
        // ceil(log2 n) for any n (BisectionTest covers positions up to 2^64).
        n = uint32(bound(n, 1, 600));
        uint256 d = disputeWithNodes(n);
        uint256 rounds = 0;
        while (game.dispute(d).next == Move.PostGraphState) {
            vm.prank(submitter);
            game.postGraphState(d, keccak256(abi.encode(rounds)));
            vm.prank(challenger);
            game.respondGraph(d, (answers >> (rounds % 256)) & 1 == 1);
            rounds++;
        }
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.StartVM));
        assertEq(v.hi, v.lo + 1);
        assertLe(v.hi, n);
        assertLe(rounds, Commitments.ceilLog2(n));
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

    function test_vmBisection_convergesWithinCeilLog2_succeeds(uint64 steps, uint256 answers) public {
        // Up to the registration bound MAX_STEPS = 2^40: at most 40 rounds.
        steps = uint64(bound(steps, 1, 1 << 40));
        uint256 d = disputeWithSteps(steps);
        uint256 rounds = 0;
        while (game.dispute(d).next == Move.PostVMState) {
            vm.prank(submitter);
            game.postVMState(d, keccak256(abi.encode(rounds)));
            vm.prank(challenger);
            game.respondVM(d, (answers >> (rounds % 256)) & 1 == 1);
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
