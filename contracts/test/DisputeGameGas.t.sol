// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VMState, StepProof} from "../src/VMTypes.sol";
import {NodeSpec, Model} from "../src/ModelTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {InputUploads} from "../src/InputUploads.sol";
import {Phase, Move, DisputeView, TransitionProof, TileEntryProof, TileVMProof} from "../src/GameTypes.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";
import {TiledToys} from "./utils/TiledToys.sol";

/// @notice Gas of every move of a dispute over the sum4 model (a node with 4 slot inputs, 65 steps), measured as
///         the execution gas of the game's call frame (vm.lastCallGas) with the game's and the judge's storage and
///         accounts cooled first, as in a fresh transaction. Printed with calldata size and the transaction total
///         (21,000 + calldata at 16 gas per nonzero byte and 4 per zero byte + execution).
/// @dev Run with -vv to see the table. The bounds are regression guards, not targets.
contract DisputeGameGasTest is GameFixture {
    function calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i = 0; i < data.length; i++) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    function report(string memory label, bytes memory data, uint256 bound_) internal view returns (uint256 used) {
        used = vm.lastCallGas().gasTotalUsed;
        uint256 total = 21_000 + calldataGas(data) + used;
        console.log(
            string.concat(
                label,
                ": execution ",
                vm.toString(used),
                ", calldata bytes ",
                vm.toString(data.length),
                ", tx total ~",
                vm.toString(total)
            )
        );
        assertLt(used, bound_, label);
    }

    function cool() internal {
        vm.cool(address(game));
        vm.cool(address(judge));
    }

    function call(address from, uint256 value, bytes memory data) internal {
        cool();
        vm.prank(from);
        (bool ok, bytes memory ret) = address(game).call{value: value}(data);
        require(ok, string.concat("call reverted: ", vm.toString(ret)));
    }

    /// @dev The sum4 model's honest world (4 inputs, their sum in slot 4).
    function sum4World() internal returns (Toy memory t, int32[8][] memory tensors, bytes32[] memory world) {
        t = registerSum4();
        tensors = new int32[8][](5);
        for (uint256 i = 0; i < 4; i++) {
            tensors[i] = input8(int32(int256(i)) + 1);
        }
        for (uint256 w = 0; w < 8; w++) {
            tensors[4][w] = tensors[0][w] + tensors[1][w] + tensors[2][w] + tensors[3][w];
        }
        world = ToyModels.rootsOf(tensors);
    }

    function test_gas_everyMove_succeeds() public {
        (Toy memory t, int32[8][] memory tensors, bytes32[] memory world) = sum4World();

        uint256[] memory ups = new uint256[](4);
        bytes memory data;
        for (uint256 i = 0; i < 4; i++) {
            ups[i] = i;
            data = abi.encodeCall(InputUploads.beginInput, (words(tensors[i])));
            call(submitter, 0, data);
            if (i == 0) report("beginInput (one 8-word input)", data, 150_000);
        }
        data = abi.encodeCall(
            DisputeGame.submit,
            (t.id, ups, words(tensors[4]), ToyModels.graphState(world, 5), ToyModels.slotProof(world, 5, 4))
        );
        call(submitter, MIN_BOND, data);
        report("submit (4 uploaded inputs, 8-word output, D = 3)", data, 300_000);

        data = abi.encodeCall(DisputeGame.challenge, (0));
        call(challenger, CHALLENGE_BOND, data);
        report("challenge", data, 200_000);

        bytes32[] memory code = Asm.sum4Program();
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, code);
        data = abi.encodeCall(DisputeGame.startVM, (0, tp));
        call(submitter, 0, data);
        report("startVM (4 slot inputs, MEM_DEPTH 19, D = 3)", data, 200_000);

        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.SUM4_STEPS);
        while (game.dispute(0).next == Move.PostVMState) {
            DisputeView memory v = game.dispute(0);
            bytes32[] memory states = Cuts.pick(honest, v.lo, v.hi, v.parts);
            data = abi.encodeCall(DisputeGame.postVMStates, (0, states));
            call(submitter, 0, data);
            report("postVMStates (k = 2: 1 state)", data, 60_000);
            data = abi.encodeCall(DisputeGame.respondVM, (0, Cuts.DISAGREE, states));
            call(challenger, 0, data);
            report("respondVM (k = 2: 1 state)", data, 60_000);
        }
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, game.dispute(0).lo);
        data = abi.encodeCall(DisputeGame.resolveStep, (0, pre, proof));
        call(challenger, 0, data);
        report("resolveStep (LOAD, through VMJudge)", data, 150_000);

        vm.warp(block.timestamp + WINDOW + 1);
        data = abi.encodeCall(DisputeGame.finalize, (0));
        call(other, 0, data);
        report("finalize", data, 60_000);
        data = abi.encodeCall(DisputeGame.withdraw, ());
        call(submitter, 0, data);
        report("withdraw", data, 60_000);
    }

    function test_gas_resolveStepStore_succeeds() public {
        // The challenger agrees up to step 7 only: the step judged is the first STORE (the judge's dearest).
        (Toy memory t, int32[8][] memory tensors, bytes32[] memory world) = sum4World();
        uint256 id = submitWorld(t, tensors, world, tensors[4], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        bytes32[] memory code = Asm.sum4Program();
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, world, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.SUM4_STEPS);
        // The challenger's story: the honest one up to step 7, wrong from step 8 on.
        bytes32[] memory belief = Tracer.copy(honest);
        for (uint256 k = 8; k < belief.length; k++) {
            belief[k] = keccak256(abi.encode("the challenger's belief", k));
        }
        playVM(d, honest, belief);
        assertEq(game.dispute(d).lo, 7);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 7);
        bytes memory data = abi.encodeCall(DisputeGame.resolveStep, (d, pre, proof));
        call(challenger, 0, data);
        report("resolveStep (STORE, through VMJudge)", data, 150_000);
    }

    function test_gas_graphMovesAndEndings_succeeds() public {
        // A 64-node chain-shaped model (D = 7) for the graph moves; its nodes are never run.
        bytes32[] memory world = ToyModels.chainWorld(input8(1), 1, true, false, 0);
        uint256 id = submitWorld(registerChainN(64), one8(input8(1)), padWorld(world, 65), input8(1), submitter, MIN_BOND);
        challengeAs(id, challenger);
        bytes32[] memory states = one(keccak256("S_32"));
        bytes memory data = abi.encodeCall(DisputeGame.postGraphStates, (0, states));
        call(submitter, 0, data);
        report("postGraphStates (k = 2: 1 state)", data, 60_000);
        data = abi.encodeCall(DisputeGame.respondGraph, (0, Cuts.AGREE, states));
        call(challenger, 0, data);
        report("respondGraph (k = 2: 1 state)", data, 60_000);

        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK + INCREMENT);
        data = abi.encodeCall(DisputeGame.timeout, (0));
        call(other, 0, data);
        report("timeout (challenger wins: rejection, d2 still open)", data, 120_000);
        data = abi.encodeCall(DisputeGame.timeout, (d2));
        call(other, 0, data);
        report("timeout (last ruling: the bond split, half burned)", data, 120_000);
        data = abi.encodeCall(DisputeGame.settle, (d2));
        call(other, 0, data);
        report("settle", data, 100_000);
    }

    /// @dev The cuts' moves at arity 16: a full cut posts 15 states and the answer resupplies them. The graph moves
    ///      over the 64-node model (16 parts of 4 nodes), the VM moves over sum4's 65 steps (16 parts of 4 or 5 steps,
    ///      then 4 parts of one), the challenger disputing everything but the last part's end in the graph phase and
    ///      everything in the VM phase.
    function test_gas_dissectionK16_succeeds() public {
        game = deployGame(16);
        bytes32[] memory world = ToyModels.chainWorld(input8(1), 1, true, false, 0);
        uint256 id =
            submitWorld(registerChainN(64), one8(input8(1)), padWorld(world, 65), input8(1), submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        bytes32[] memory states = made(15, "S");
        bytes memory data = abi.encodeCall(DisputeGame.postGraphStates, (d, states));
        call(submitter, 0, data);
        report("postGraphStates (k = 16: 15 states)", data, 60_000);
        data = abi.encodeCall(DisputeGame.respondGraph, (d, 14, states));
        call(challenger, 0, data);
        report("respondGraph (k = 16: 15 states, part 14)", data, 60_000);
        assertEq(game.dispute(d).lo, 56);
        assertEq(game.dispute(d).hi, 60);

        (Toy memory t, int32[8][] memory tensors, bytes32[] memory w) = sum4World();
        d = challengeAs(submitWorld(t, tensors, w, tensors[4], submitter, MIN_BOND), challenger);
        bytes32[] memory code = Asm.sum4Program();
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, 0, w, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.SUM4_STEPS);
        while (game.dispute(d).next == Move.PostVMState) {
            DisputeView memory v = game.dispute(d);
            states = Cuts.pick(honest, v.lo, v.hi, v.parts);
            string memory n = vm.toString(states.length);
            data = abi.encodeCall(DisputeGame.postVMStates, (d, states));
            call(submitter, 0, data);
            report(string.concat("postVMStates (k = 16: ", n, " states)"), data, 60_000);
            data = abi.encodeCall(DisputeGame.respondVM, (d, 0, states));
            call(challenger, 0, data);
            report(string.concat("respondVM (k = 16: ", n, " states, part 0)"), data, 60_000);
        }
        assertEq(game.dispute(d).hi, 1);
    }

    function made(uint256 n, string memory tag) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            s[i] = keccak256(abi.encode(tag, i));
        }
    }

    function test_gas_register_succeeds() public {
        // Registration validates every spec and computes the node tree on-chain.
        Model memory m = ToyModels.modelOf(ToyModels.chainSpecs(3, false), 1);
        bytes memory data = abi.encodeCall(
            ModelRegistry.register, (ToyModels.chainSpecs(3, false), m.inputWords, m.outputSlot, m.outputWords)
        );
        call(other, 0, data);
        report("register (chain: 3 nodes, 1 input each)", data, 200_000);

        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = ToyModels.sum4Spec();
        m = ToyModels.modelOf(specs, 4);
        data = abi.encodeCall(ModelRegistry.register, (specs, m.inputWords, m.outputSlot, m.outputWords));
        call(other, 0, data);
        report("register (sum4: 1 node, 4 slot inputs)", data, 200_000);

        specs = ToyModels.chainSpecs(64, true);
        m = ToyModels.modelOf(specs, 1);
        data = abi.encodeCall(ModelRegistry.register, (specs, m.inputWords, m.outputSlot, m.outputWords));
        call(other, 0, data);
        report("register (chain: 64 nodes)", data, 3_000_000);
    }

    function registerChainN(uint256 n) internal returns (Toy memory t) {
        t.specs = ToyModels.chainSpecs(n, true);
        t.model = ToyModels.modelOf(t.specs, 1);
        t.model.outputSlot = 0; // the input itself, so any S_n holding it will do
        t.id = registerToy(t);
    }

    function padWorld(bytes32[] memory world, uint256 slots) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](slots);
        w[0] = world[0];
    }
    function test_gas_tileMoves_succeeds() public {
        // A 4-tile node (TiledToys) as node 0 of a two-node model; the challenger disagrees with everything.
        NodeSpec[] memory specs = new NodeSpec[](2);
        specs[0] = TiledToys.spec(4, 0);
        specs[1] = ToyModels.chainSpec(1, false);
        Toy memory t = registerSpecs(specs, 1);
        int32[8][] memory ts = new int32[8][](3);
        ts[0] = input8(2);
        ts[1] = TiledToys.output(ts[0], 4);
        ts[2] = ToyModels.add8(ts[1], 2);
        bytes32[] memory world = ToyModels.rootsOf(ts);
        uint256 id = submitWorld(t, ts, world, ts[2], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        postCut(Phase.Graph, submitter, d, one(ToyModels.graphState(world, 2)));
        answerCut(Phase.Graph, challenger, d, Cuts.DISAGREE);
        (bytes32[][] memory sigma, VMState[] memory finals) = TiledToys.run(judge, world[0], 4, false, 0);

        TileEntryProof memory e = TiledToys.entry(specs, 0, world, 1, sigma[4]);
        bytes memory data = abi.encodeCall(DisputeGame.startTiles, (d, e));
        call(submitter, 0, data);
        report("startTiles (1 slot input, 4 tiles, D = 2)", data, 200_000);
        bytes32[] memory roots = TiledToys.roots(sigma);
        while (game.dispute(d).next == Move.PostTileState) {
            DisputeView memory v = game.dispute(d);
            bytes32[] memory states = Cuts.pick(roots, v.lo, v.hi, v.parts);
            data = abi.encodeCall(DisputeGame.postTileStates, (d, states));
            call(submitter, 0, data);
            report("postTileStates (k = 2: 1 state)", data, 60_000);
            data = abi.encodeCall(DisputeGame.respondTile, (d, Cuts.DISAGREE, states));
            call(challenger, 0, data);
            report("respondTile (k = 2: 1 state)", data, 60_000);
        }
        TileVMProof memory p = TiledToys.tileVM(4, 0, sigma[0], finals[0]);
        data = abi.encodeCall(DisputeGame.startTileVM, (d, p));
        call(submitter, 0, data);
        report("startTileVM (tile depth 2, 19 window siblings)", data, 120_000);
    }
}
