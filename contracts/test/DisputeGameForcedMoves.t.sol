// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VMState, MEM_DEPTH, STATUS_HALTED} from "../src/VMTypes.sol";
import {InputRegion, NodeSpec, TileSpec, Model} from "../src/ModelTypes.sol";
import {Commitments} from "../src/Commitments.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {Phase, Move, DisputeView, TransitionProof, TileEntryProof, TileVMProof} from "../src/GameTypes.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice Forced moves stay bounded at the registration limits: startVM for a node with MAX_NODE_INPUTS = 32 slot
///         inputs, in a model at MAX_NODES = 2^20 nodes and 32 graph inputs (slot depth 21, node depth 20, the
///         deepest registrable), costs at most 2,000,000 gas and 65,536 bytes of calldata; so do startTiles for
///         the same node tiled, and startTileVM for its tile 2^20 - 1 of MAX_TILES = 2^20 (tile depth 20) with a
///         one-leaf window (19 window siblings).
/// @dev A model that large cannot be registered in a test (2^20 specs of calldata), so it is written into the
///      game's registry storage directly (layout checked by reading it back through model()), under the id
///      registration would give it; its node tree holds node 0's spec at leaf 0. The regions are spread over
///      memory (one per 2^14 leaves) so that composing the initial memory visits the most nodes. Run with -vv for
///      the figures.
contract DisputeGameForcedMovesTest is GameFixture {
    uint256 internal constant INPUTS = 32;
    uint32 internal constant NODES = uint32(1 << 20);
    uint256 internal constant SLOT_DEPTH = 21; // ceil(log2(2^20 + 32))
    uint256 internal constant NODE_DEPTH = 20;

    function calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i = 0; i < data.length; i++) {
            g += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Writes `m` into the game's model registry (ModelRegistry._models, slot 0) under `id`.
    function injectModel(bytes32 id, Model memory m) internal {
        uint256 base = uint256(keccak256(abi.encode(id, uint256(0))));
        vm.store(address(game), bytes32(base), m.nodesRoot);
        vm.store(
            address(game),
            bytes32(base + 1),
            bytes32(uint256(m.numNodes) | (uint256(m.outputSlot) << 32) | (uint256(m.outputWords) << 64))
        );
        vm.store(address(game), bytes32(base + 2), bytes32(m.inputWords.length));
        uint256 data = uint256(keccak256(abi.encode(base + 2)));
        for (uint256 k = 0; k * 8 < m.inputWords.length; k++) {
            uint256 packed = 0;
            for (uint256 i = 8 * k; i < 8 * k + 8 && i < m.inputWords.length; i++) {
                packed |= uint256(m.inputWords[i]) << (32 * (i % 8));
            }
            vm.store(address(game), bytes32(data + k), bytes32(packed));
        }
        Model memory got = game.model(id);
        assertEq(got.nodesRoot, m.nodesRoot);
        assertEq(got.numNodes, m.numNodes);
        assertEq(got.outputSlot, m.outputSlot);
        assertEq(got.outputWords, m.outputWords);
        assertEq(keccak256(abi.encode(got.inputWords)), keccak256(abi.encode(m.inputWords)));
    }

    /// @dev Node 0: reads slots 0 .. 31 (the graph inputs), one 8-word region per 2^14 leaves of memory.
    function wideSpec() internal pure returns (NodeSpec memory spec) {
        spec.codeRoot = keccak256("a 32-input node");
        spec.steps = uint64(1 << 40);
        spec.outBase = 8;
        spec.outHeight = 0;
        spec.inputs = new InputRegion[](INPUTS);
        for (uint256 i = 0; i < INPUTS; i++) {
            spec.inputs[i] =
                InputRegion({fromSlot: true, slot: uint32(i), root: 0, base: uint32(i << (MEM_DEPTH - 5 + 3)), height: 0});
        }
    }

    function zeros(uint256 n) internal pure returns (bytes32[] memory z) {
        z = new bytes32[](n);
        for (uint256 h = 0; h < n; h++) {
            z[h] = SmallTree.zero(h);
        }
    }

    /// @dev Registers the 32-input spec as a one-node model (it passes registration's checks on its own), then
    ///      writes the 2^20-node model holding it as node 0. Returns that model's id.
    function setUpModel(NodeSpec memory spec) internal returns (bytes32 id) {
        uint32[] memory inputWords = new uint32[](INPUTS);
        for (uint256 i = 0; i < INPUTS; i++) {
            inputWords[i] = 8;
        }
        NodeSpec[] memory single = new NodeSpec[](1);
        single[0] = spec;
        vm.cool(address(game));
        (bool ok,) = address(game).call(abi.encodeCall(ModelRegistry.register, (single, inputWords, uint32(INPUTS), 8)));
        assertTrue(ok, "the 32-input spec is registrable");
        console.log("register (1 node, 32 slot inputs): execution gas", vm.lastCallGas().gasTotalUsed);

        Model memory m;
        m.nodesRoot = SmallTree.root(ToyModels.nodeLeaves(single), NODE_DEPTH);
        m.numNodes = NODES;
        m.outputSlot = 0;
        m.outputWords = 8;
        m.inputWords = inputWords;
        id = ToyModels.idOf(m);
        injectModel(id, m);
        assertEq(Commitments.slotDepth(uint256(NODES) + INPUTS), SLOT_DEPTH);
        assertEq(SLOT_DEPTH, SmallTree.ceilLog2(game.modelValidator().MAX_NODES() + INPUTS));
    }

    /// @dev The 32 input tensors' roots (S_0's slots) and S_0's slots plus node 0's output in slot 32.
    function slotRoots() internal pure returns (bytes32[] memory s0Slots, bytes32[] memory s1Slots) {
        s0Slots = new bytes32[](INPUTS);
        s1Slots = new bytes32[](INPUTS + 1);
        for (uint256 i = 0; i < INPUTS; i++) {
            s0Slots[i] = Asm.leaf(input8(int32(int256(i))));
            s1Slots[i] = s0Slots[i];
        }
        s1Slots[INPUTS] = Asm.leaf(input8(99));
    }

    /// @dev Uploads the 32 inputs, submits S_n = S_1 (its output is slot 0's tensor), challenges, and plays the
    ///      graph bisection with a challenger that disagrees at every midpoint: node 0 after 20 rounds.
    function disputeNodeZero(bytes32 id) internal returns (uint256 d) {
        (bytes32[] memory s0Slots, bytes32[] memory s1Slots) = slotRoots();
        uint256[] memory ups = new uint256[](INPUTS);
        for (uint256 i = 0; i < INPUTS; i++) {
            ups[i] = upload(submitter, input8(int32(int256(i))));
        }
        bytes32 s1 = SmallTree.root(s1Slots, SLOT_DEPTH);
        vm.prank(submitter);
        uint256 sid =
            game.submit{value: MIN_BOND}(id, ups, words(input8(0)), s1, SmallTree.proof(s1Slots, 0, SLOT_DEPTH));
        assertEq(game.submission(sid).initialState, SmallTree.root(s0Slots, SLOT_DEPTH), "S_0 from the 32 uploads");
        d = challengeAs(sid, challenger);
        uint256 rounds;
        while (game.dispute(d).next == Move.PostGraphState) {
            DisputeView memory cur = game.dispute(d);
            uint64 mid = Cuts.position(cur.lo, cur.hi, cur.parts, 1);
            postCut(Phase.Graph, submitter, d, one(mid == 1 ? s1 : keccak256(abi.encode("S", mid))));
            answerCut(Phase.Graph, challenger, d, Cuts.DISAGREE);
            rounds++;
        }
        assertEq(rounds, NODE_DEPTH);
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.StartVM));
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
    }

    /// @dev The witness: 32 slot proofs of depth 21, a node proof of depth 20, the output proofs.
    function witness(NodeSpec memory spec) internal pure returns (TransitionProof memory tp) {
        (bytes32[] memory s0Slots, bytes32[] memory s1Slots) = slotRoots();
        tp.spec = spec;
        tp.nodeSiblings = zeros(NODE_DEPTH);
        tp.slotRoots = s0Slots;
        tp.slotSiblings = new bytes32[][](INPUTS);
        for (uint256 i = 0; i < INPUTS; i++) {
            tp.slotSiblings[i] = SmallTree.proof(s0Slots, i, SLOT_DEPTH);
        }
        tp.outRoot = s1Slots[INPUTS];
        tp.outSiblings = zeros(MEM_DEPTH);
        tp.finalState.codeRoot = spec.codeRoot;
        tp.finalState.memRoot = SmallTree.fold(tp.outRoot, spec.outBase / 8, tp.outSiblings);
        tp.finalState.pc = 12345;
        tp.finalState.step = spec.steps;
        tp.finalState.status = STATUS_HALTED;
        for (uint256 r = 1; r < 16; r++) {
            tp.finalState.regs[r] = -int32(int256(r)) * 1_000_003;
        }
        tp.outSlotSiblings = SmallTree.proof(s0Slots, INPUTS, SLOT_DEPTH);
    }

    function test_startVM_maxInputsMaxSlotDepth_boundedGasAndCalldata_succeeds() public {
        NodeSpec memory spec = wideSpec();
        uint256 d = disputeNodeZero(setUpModel(spec));
        bytes memory data = abi.encodeCall(DisputeGame.startVM, (d, witness(spec)));
        vm.cool(address(game));
        vm.cool(address(game.transitionVerifier()));
        vm.prank(submitter);
        (bool ok,) = address(game).call(data);
        assertTrue(ok, "startVM");
        uint256 exec = vm.lastCallGas().gasTotalUsed;
        uint256 total = 21_000 + calldataGas(data) + exec;
        console.log("startVM (32 slot inputs, slot depth 21, node depth 20): execution gas", exec);
        console.log("startVM calldata bytes", data.length);
        console.log("startVM tx total gas ~", total);
        assertEq(uint8(game.dispute(d).phase), uint8(Phase.VM));
        assertLe(exec, 2_000_000, "startVM execution gas");
        assertLe(total, 2_000_000, "startVM whole transaction");
        assertLe(data.length, 65_536, "startVM calldata");
    }
    // ======================================================================================================
    // Tiled: startTiles and startTileVM at the bounds
    // ======================================================================================================

    uint32 internal constant TILES = uint32(1 << 20);
    uint256 internal constant TILE_DEPTH = 20;

    /// @dev Arbitrary nonzero words (the dearest calldata).
    function words32(string memory label, uint256 n) internal pure returns (bytes32[] memory w) {
        w = new bytes32[](n);
        for (uint256 k = 0; k < n; k++) {
            w[k] = keccak256(abi.encode(label, k));
        }
    }

    /// @dev The last tile (index 2^20 - 1): a made-up program of 2^40 steps, a window root.
    function lastTile() internal pure returns (TileSpec memory t) {
        t.codeRoot = keccak256("the last tile's code");
        t.steps = uint64(1 << 40);
        t.windowRoot = keccak256("the last tile's window");
    }

    /// @dev Node 0 tiled: the 32 spread slot inputs of wideSpec, the output at leaf 1, 2^20 tiles whose tree holds
    ///      lastTile() at its last leaf, a one-leaf window at leaf 2.
    function wideTiledSpec() internal pure returns (NodeSpec memory spec) {
        spec = wideSpec();
        spec.codeRoot = 0;
        spec.steps = 0;
        spec.numTiles = TILES;
        spec.tilesRoot =
            SmallTree.fold(keccak256(abi.encode(lastTile())), TILES - 1, words32("tile sibling", TILE_DEPTH));
        spec.windowBase = 16;
        spec.windowHeight = 0;
    }

    function tileEntry(NodeSpec memory spec) internal pure returns (TileEntryProof memory e) {
        TransitionProof memory tp = witness(spec);
        e.spec = spec;
        e.nodeSiblings = tp.nodeSiblings;
        e.slotRoots = tp.slotRoots;
        e.slotSiblings = tp.slotSiblings;
        e.outRoot = tp.outRoot;
        e.outSiblings = tp.outSiblings;
        e.finalMem = tp.finalState.memRoot;
        e.outSlotSiblings = tp.outSlotSiblings;
    }

    function test_startTilesAndTileVM_maxInputsMaxDepths_boundedGasAndCalldata_succeeds() public {
        NodeSpec memory spec = wideTiledSpec();
        uint256 d = disputeNodeZero(setUpModel(spec));
        TileEntryProof memory e = tileEntry(spec);
        bytes memory data = abi.encodeCall(DisputeGame.startTiles, (d, e));
        vm.cool(address(game));
        vm.cool(address(game.transitionVerifier()));
        vm.prank(submitter);
        (bool ok,) = address(game).call(data);
        assertTrue(ok, "startTiles");
        uint256 exec = vm.lastCallGas().gasTotalUsed;
        uint256 total = 21_000 + calldataGas(data) + exec;
        console.log("startTiles (32 slot inputs, slot depth 21, node depth 20): execution gas", exec);
        console.log("startTiles calldata bytes", data.length);
        console.log("startTiles tx total gas ~", total);
        assertEq(uint8(game.dispute(d).phase), uint8(Phase.Tile));
        assertLe(total, 2_000_000, "startTiles whole transaction");
        assertLe(data.length, 65_536, "startTiles calldata");

        // The challenger agrees with every tile state: the last tile is in dispute after 20 rounds, its sigma_i a
        // state the submitter posted (a memory holding a window root under made-up siblings).
        bytes32[] memory windowSiblings = words32("window sibling", MEM_DEPTH);
        bytes32 window = keccak256("what the previous tile left in the window");
        bytes32 sigma = SmallTree.fold(window, 2, windowSiblings);
        uint256 rounds;
        while (game.dispute(d).next == Move.PostTileState) {
            postCut(Phase.Tile, submitter, d, one(sigma));
            answerCut(Phase.Tile, challenger, d, Cuts.AGREE);
            rounds++;
        }
        assertEq(rounds, TILE_DEPTH);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, TILES - 1);
        assertEq(uint8(v.next), uint8(Move.StartTileVM));

        TileVMProof memory p;
        p.tile = lastTile();
        p.tileSiblings = words32("tile sibling", TILE_DEPTH);
        p.window = window;
        p.windowSiblings = windowSiblings;
        p.finalState.codeRoot = p.tile.codeRoot;
        p.finalState.memRoot = v.hiHash;
        p.finalState.pc = 12345;
        p.finalState.step = p.tile.steps;
        p.finalState.status = STATUS_HALTED;
        for (uint256 r = 1; r < 16; r++) {
            p.finalState.regs[r] = -int32(int256(r)) * 1_000_003;
        }
        data = abi.encodeCall(DisputeGame.startTileVM, (d, p));
        vm.cool(address(game));
        vm.cool(address(game.transitionVerifier()));
        vm.prank(submitter);
        (ok,) = address(game).call(data);
        assertTrue(ok, "startTileVM");
        exec = vm.lastCallGas().gasTotalUsed;
        total = 21_000 + calldataGas(data) + exec;
        console.log("startTileVM (tile depth 20, 19 window siblings): execution gas", exec);
        console.log("startTileVM calldata bytes", data.length);
        console.log("startTileVM tx total gas ~", total);
        v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.VM));
        assertEq(v.tile, TILES - 1);
        assertEq(v.hi, uint64(1 << 40));
        assertLe(total, 2_000_000, "startTileVM whole transaction");
        assertLe(data.length, 65_536, "startTileVM calldata");
    }
}
