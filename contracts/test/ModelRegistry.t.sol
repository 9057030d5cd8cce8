// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {InputRegion, NodeSpec, Model} from "../src/ModelTypes.sol";
import {MEM_DEPTH, MEM_WORDS} from "../src/VMTypes.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {ModelValidator} from "../src/ModelValidator.sol";
import {
    EmptyModel,
    OutputSlotOutOfRange,
    ModelNotRegistered,
    ModelTooLarge,
    TensorSizeOutOfRange,
    SlotNotProducedYet,
    SlotHeightMismatch,
    ZeroSteps,
    RegionMisaligned,
    RegionOutOfRange,
    RegionsOverlap,
    TileFieldsOnUntiledNode,
    ProgramOnTiledNode
} from "../src/GameErrors.sol";
import {SmallTree} from "./utils/SmallTree.sol";

/// @notice Registration: the model id and what is stored, and one refusal test per check of ModelValidator (a
///         model is accepted only if the honest side can play every position of its game).
/// @dev The sample model has two graph inputs (8 words: height 0; 64 words: height 3) and two nodes:
///      node 0 reads slot 0 at word 0 and slot 1 at word 64 and writes 8 words at 128 (slot 2, height 0);
///      node 1 reads slot 2 at word 0 and a constant leaf at word 8 and writes 16 words at 16 (slot 3, height 1),
///      the output (16 words).
contract ModelRegistryTest is Test {
    ModelRegistry internal registry;
    ModelValidator internal validator;

    function setUp() public {
        registry = new ModelRegistry();
        validator = registry.modelValidator();
    }

    // ======================================================================================================
    // The sample model
    // ======================================================================================================

    function slotRegion(uint256 slot, uint256 base, uint256 height) internal pure returns (InputRegion memory) {
        return InputRegion({fromSlot: true, slot: uint32(slot), root: 0, base: uint32(base), height: uint8(height)});
    }

    function constRegion(bytes32 root, uint256 base, uint256 height) internal pure returns (InputRegion memory) {
        return InputRegion({fromSlot: false, slot: 0, root: root, base: uint32(base), height: uint8(height)});
    }

    function sampleNodes() internal pure returns (NodeSpec[] memory nodes) {
        nodes = new NodeSpec[](2);
        nodes[0].codeRoot = keccak256("code 0");
        nodes[0].steps = 100;
        nodes[0].outBase = 128;
        nodes[0].outHeight = 0;
        nodes[0].inputs = new InputRegion[](2);
        nodes[0].inputs[0] = slotRegion(0, 0, 0);
        nodes[0].inputs[1] = slotRegion(1, 64, 3);
        nodes[1].codeRoot = keccak256("code 1");
        nodes[1].steps = 7;
        nodes[1].outBase = 16;
        nodes[1].outHeight = 1;
        nodes[1].inputs = new InputRegion[](2);
        nodes[1].inputs[0] = slotRegion(2, 0, 0);
        nodes[1].inputs[1] = constRegion(keccak256("weights"), 8, 0);
    }

    function sampleInputs() internal pure returns (uint32[] memory w) {
        w = new uint32[](2);
        w[0] = 8;
        w[1] = 64;
    }

    function leaves(NodeSpec[] memory nodes) internal pure returns (bytes32[] memory l) {
        l = new bytes32[](nodes.length);
        for (uint256 j = 0; j < nodes.length; j++) {
            l[j] = keccak256(abi.encode(nodes[j]));
        }
    }

    /// @dev The id as docs/GAME.md defines it, computed independently (SmallTree node tree).
    function expectedId(NodeSpec[] memory nodes, uint32[] memory inputWords, uint32 outputSlot, uint32 outputWords)
        internal
        pure
        returns (bytes32)
    {
        bytes32 nodesRoot = SmallTree.root(leaves(nodes), SmallTree.ceilLog2(nodes.length));
        return keccak256(abi.encode(nodesRoot, uint32(nodes.length), outputSlot, outputWords, inputWords));
    }

    function reg(NodeSpec[] memory nodes, uint32[] memory inputWords, uint32 outputSlot, uint32 outputWords)
        internal
        returns (bytes32)
    {
        return registry.register(nodes, inputWords, outputSlot, outputWords);
    }

    /// @dev Registers the sample with one change, expecting `err`.
    function expectRefused(NodeSpec[] memory nodes, uint32[] memory inputWords, uint32 outSlot, uint32 outWords, bytes memory err)
        internal
    {
        vm.expectRevert(err);
        reg(nodes, inputWords, outSlot, outWords);
    }

    // ======================================================================================================
    // register, model, isRegistered
    // ======================================================================================================

    function test_register_succeeds() public {
        NodeSpec[] memory nodes = sampleNodes();
        uint32[] memory inWords = sampleInputs();
        bytes32 expected = expectedId(nodes, inWords, 3, 16);
        Model memory m = Model({
            nodesRoot: SmallTree.root(leaves(nodes), 1),
            numNodes: 2,
            outputSlot: 3,
            outputWords: 16,
            inputWords: inWords
        });
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelRegistered(expected, m);
        assertEq(reg(nodes, inWords, 3, 16), expected);
        assertTrue(registry.isRegistered(expected));
        Model memory got = registry.model(expected);
        assertEq(got.nodesRoot, m.nodesRoot, "nodesRoot computed on-chain from the specs");
        assertEq(got.numNodes, 2);
        assertEq(got.outputSlot, 3);
        assertEq(got.outputWords, 16);
        assertEq(got.inputWords.length, 2);
        assertEq(got.inputWords[0], 8);
        assertEq(got.inputWords[1], 64);
        assertEq(validator.validate(nodes, inWords, 3, 16), m.nodesRoot);
    }

    function test_register_idempotent_succeeds() public {
        bytes32 id = reg(sampleNodes(), sampleInputs(), 3, 16);
        vm.recordLogs();
        assertEq(reg(sampleNodes(), sampleInputs(), 3, 16), id);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 0, "no second event");
    }

    function test_register_everyShapeFieldChangesId_succeeds() public {
        bytes32 id = reg(sampleNodes(), sampleInputs(), 3, 16);
        // 9 .. 16 output words all have height 1: each is another model, with its own id.
        assertTrue(reg(sampleNodes(), sampleInputs(), 3, 9) != id);
        uint32[] memory inWords = sampleInputs();
        inWords[1] = 57; // still height 3
        assertTrue(reg(sampleNodes(), inWords, 3, 16) != id);
        inWords = sampleInputs();
        inWords[0] = 1;
        assertTrue(reg(sampleNodes(), inWords, 3, 16) != id);
    }

    function test_register_outputIsAnInput_succeeds() public {
        // The output slot may be a graph input (slot 1: 64 words, height 3).
        bytes32 id = reg(sampleNodes(), sampleInputs(), 1, 64);
        assertEq(registry.model(id).outputSlot, 1);
    }

    function test_register_constantRegionSlotIgnored_succeeds() public {
        // A constant region's slot field is not a slot read: any value passes.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs[1].slot = type(uint32).max;
        nodes[1].inputs[1].height = 0;
        reg(nodes, sampleInputs(), 3, 16);
    }

    function test_register_adjacentRegions_succeeds() public {
        // Regions that touch end to start do not overlap.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].inputs[1].base = 64; // h3: words 64 .. 127
        nodes[0].inputs[0].base = 56; // h0: words 56 .. 63
        reg(nodes, sampleInputs(), 3, 16);
    }

    function test_register_bounds_succeeds() public {
        // Every bound at its limit: 256 graph inputs, 32 node inputs, MAX_STEPS steps, a whole-memory tensor.
        uint32[] memory inWords = new uint32[](validator.MAX_GRAPH_INPUTS());
        for (uint256 i = 0; i < inWords.length; i++) {
            inWords[i] = 1;
        }
        inWords[255] = uint32(MEM_WORDS);
        NodeSpec[] memory nodes = new NodeSpec[](2);
        nodes[0].steps = uint64(validator.MAX_STEPS());
        nodes[0].inputs = new InputRegion[](validator.MAX_NODE_INPUTS());
        for (uint256 i = 0; i < 32; i++) {
            nodes[0].inputs[i] = slotRegion(i * 7, 8 * i, 0);
        }
        nodes[1].steps = 1;
        nodes[1].outHeight = uint8(MEM_DEPTH);
        nodes[1].inputs = new InputRegion[](1);
        nodes[1].inputs[0] = slotRegion(255, 0, MEM_DEPTH);
        bytes32 id = reg(nodes, inWords, 257, uint32(MEM_WORDS));
        assertTrue(registry.isRegistered(id));
    }

    function test_model_unregistered_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelNotRegistered.selector, bytes32(uint256(1))));
        registry.model(bytes32(uint256(1)));
        assertFalse(registry.isRegistered(bytes32(uint256(1))));
    }

    // ======================================================================================================
    // Refusals: sizes
    // ======================================================================================================

    function test_register_emptyModel_reverts() public {
        expectRefused(new NodeSpec[](0), sampleInputs(), 0, 8, abi.encodeWithSelector(EmptyModel.selector));
    }

    function test_validator_boundConstants_succeeds() public view {
        // The node bound (2^20) cannot be crossed in a test: 2^20 + 1 node offsets are 32 MiB of calldata, whose
        // memory costs more than a test's gas limit. Its check is the same one-line comparison as the graph-input
        // bound tested below; here the bounds themselves, and what they guarantee: slot depth <= 21, node depth
        // <= 20, VM bisection depth <= 40.
        assertEq(validator.MAX_NODES(), 1 << 20);
        assertEq(validator.MAX_GRAPH_INPUTS(), 1 << 8);
        assertEq(validator.MAX_NODE_INPUTS(), 32);
        assertEq(validator.MAX_STEPS(), 1 << 40);
        assertEq(SmallTree.ceilLog2(validator.MAX_NODES() + validator.MAX_GRAPH_INPUTS()), 21);
    }

    function test_register_tooManyGraphInputs_reverts() public {
        uint32[] memory inWords = new uint32[](257);
        for (uint256 i = 0; i < inWords.length; i++) {
            inWords[i] = 8;
        }
        expectRefused(
            sampleNodes(), inWords, 258, 16, abi.encodeWithSelector(ModelTooLarge.selector, "graph inputs", 257, 256)
        );
    }

    function test_register_zeroInputWords_reverts() public {
        uint32[] memory inWords = sampleInputs();
        inWords[1] = 0;
        expectRefused(sampleNodes(), inWords, 3, 16, abi.encodeWithSelector(TensorSizeOutOfRange.selector, 0));
    }

    function test_register_tooLargeInputWords_reverts() public {
        uint32[] memory inWords = sampleInputs();
        inWords[0] = uint32(MEM_WORDS + 1);
        expectRefused(sampleNodes(), inWords, 3, 16, abi.encodeWithSelector(TensorSizeOutOfRange.selector, MEM_WORDS + 1));
    }

    function test_register_zeroOutputWords_reverts() public {
        expectRefused(sampleNodes(), sampleInputs(), 3, 0, abi.encodeWithSelector(TensorSizeOutOfRange.selector, 0));
    }

    function test_register_tooLargeOutputWords_reverts() public {
        expectRefused(
            sampleNodes(),
            sampleInputs(),
            3,
            type(uint32).max,
            abi.encodeWithSelector(TensorSizeOutOfRange.selector, type(uint32).max)
        );
    }

    function test_register_outputSlotOutOfRange_reverts(uint32 out) public {
        out = uint32(bound(out, 4, type(uint32).max)); // 4 slots
        expectRefused(
            sampleNodes(), sampleInputs(), out, 16, abi.encodeWithSelector(OutputSlotOutOfRange.selector, out, 4)
        );
    }

    function test_register_outputHeightMismatch_reverts() public {
        // Slot 3 holds 16 words (height 1); 17 words would be hashed at height 2, 8 words at height 0.
        expectRefused(sampleNodes(), sampleInputs(), 3, 17, abi.encodeWithSelector(SlotHeightMismatch.selector, 3, 1, 2));
        expectRefused(sampleNodes(), sampleInputs(), 3, 8, abi.encodeWithSelector(SlotHeightMismatch.selector, 3, 1, 0));
        // Slot 1 is an input of 64 words (height 3).
        expectRefused(sampleNodes(), sampleInputs(), 1, 65, abi.encodeWithSelector(SlotHeightMismatch.selector, 1, 3, 4));
    }

    // ======================================================================================================
    // Refusals: a node's steps and inputs
    // ======================================================================================================

    function test_register_zeroSteps_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].steps = 0;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(ZeroSteps.selector));
    }

    function test_register_tooManySteps_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].steps = uint64((1 << 40) + 1);
        expectRefused(
            nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(ModelTooLarge.selector, "steps", (1 << 40) + 1, 1 << 40)
        );
    }

    function test_register_tooManyNodeInputs_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs = new InputRegion[](33);
        for (uint256 i = 0; i < 33; i++) {
            nodes[1].inputs[i] = constRegion(keccak256(abi.encode(i)), 8 * i, 0);
        }
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(ModelTooLarge.selector, "node inputs", 33, 32));
    }

    function test_register_slotOutOfRange_reverts() public {
        // A slot past every slot of the model.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs[0].slot = 1000;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotNotProducedYet.selector, 1, 1000));
    }

    function test_register_slotNotProducedYet_reverts() public {
        // Node 0 reading its own output slot (2), and node 0 reading node 1's (3).
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].inputs[0].slot = 2;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotNotProducedYet.selector, 0, 2));
        nodes[0].inputs[0].slot = 3;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotNotProducedYet.selector, 0, 3));
        // Node 1 reading its own output slot.
        nodes = sampleNodes();
        nodes[1].inputs[0].slot = 3;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotNotProducedYet.selector, 1, 3));
    }

    function test_register_regionHeightNotInputHeight_reverts() public {
        // Slot 1 is 64 words (height 3): a height-2 region would hold only its first half, height 4 a padded copy.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].inputs[1].height = 2;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotHeightMismatch.selector, 1, 3, 2));
        nodes[0].inputs[1].height = 4;
        nodes[0].inputs[1].base = 128;
        nodes[0].outBase = 512;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotHeightMismatch.selector, 1, 3, 4));
    }

    function test_register_regionHeightNotNodeOutputHeight_reverts() public {
        // Slot 2 is node 0's output, height 0 (its outHeight).
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs[0].height = 1;
        nodes[1].inputs[1].base = 16;
        nodes[1].outBase = 32;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(SlotHeightMismatch.selector, 2, 0, 1));
    }

    function test_register_unsortedRegions_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        (nodes[0].inputs[0], nodes[0].inputs[1]) = (nodes[0].inputs[1], nodes[0].inputs[0]);
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionsOverlap.selector, 0, 0));
    }

    function test_register_overlappingRegions_reverts() public {
        // A leaf inside the height-3 region (words 64 .. 127), sorted by base.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].inputs[0].base = 64;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionsOverlap.selector, 64, 3));
        nodes[0].inputs[0].base = 120;
        nodes[0].inputs[1].base = 64;
        (nodes[0].inputs[0], nodes[0].inputs[1]) = (nodes[0].inputs[1], nodes[0].inputs[0]);
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionsOverlap.selector, 120, 0));
    }

    function test_register_sameRegionTwice_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs[1].base = 0;
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionsOverlap.selector, 0, 0));
    }

    function test_register_misalignedRegion_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].inputs[1].base = 72; // height 3 needs a multiple of 64
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionMisaligned.selector, 72, 3));
        nodes = sampleNodes();
        nodes[0].inputs[0].base = 4; // not even a leaf boundary
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionMisaligned.selector, 4, 0));
    }

    function test_register_regionOutsideMemory_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].inputs[1].base = uint32(MEM_WORDS); // the first word past memory
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionOutOfRange.selector, MEM_WORDS, 0));
        nodes = sampleNodes();
        nodes[1].inputs[1] = constRegion(0, 0, MEM_DEPTH + 1); // higher than memory
        nodes[1].inputs[0].base = 0;
        (nodes[1].inputs[0], nodes[1].inputs[1]) = (nodes[1].inputs[1], nodes[1].inputs[0]);
        expectRefused(
            nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionOutOfRange.selector, 0, MEM_DEPTH + 1)
        );
    }

    function test_register_misalignedOutputRegion_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].outBase = 24; // height 1 needs a multiple of 16
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionMisaligned.selector, 24, 1));
    }

    function test_register_outputRegionOutsideMemory_reverts() public {
        NodeSpec[] memory nodes = sampleNodes();
        nodes[0].outBase = uint32(MEM_WORDS);
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionOutOfRange.selector, MEM_WORDS, 0));
        // Higher than memory (node 0's output, so that the model's output height check does not come first).
        nodes = sampleNodes();
        nodes[0].outBase = 0;
        nodes[0].outHeight = uint8(MEM_DEPTH + 1);
        expectRefused(nodes, sampleInputs(), 3, 16, abi.encodeWithSelector(RegionOutOfRange.selector, 0, MEM_DEPTH + 1));
    }

    function test_register_refusedModelNotRegistered_succeeds() public {
        // A refused registration stores nothing: its would-be id stays unknown.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].steps = 0;
        bytes32 id = expectedId(nodes, sampleInputs(), 3, 16);
        vm.expectRevert(ZeroSteps.selector);
        reg(nodes, sampleInputs(), 3, 16);
        assertFalse(registry.isRegistered(id));
    }
    // ======================================================================================================
    // Tiled nodes (docs/GAME.md, "Tiled nodes")
    // ======================================================================================================

    /// @dev The sample with node 1 tiled: no program of its own, 3 tiles, a 32-word window at word 32 (its inputs
    ///      sit at words 0 .. 15, its output at 16 .. 31).
    function tiledSample() internal pure returns (NodeSpec[] memory nodes) {
        nodes = sampleNodes();
        nodes[1].codeRoot = 0;
        nodes[1].steps = 0;
        nodes[1].numTiles = 3;
        nodes[1].tilesRoot = keccak256("tiles");
        nodes[1].windowBase = 32;
        nodes[1].windowHeight = 2;
    }

    function expectTiledRefused(NodeSpec[] memory nodes, bytes memory err) internal {
        expectRefused(nodes, sampleInputs(), 3, 16, err);
    }

    function test_register_tiledNode_succeeds() public {
        // A tiled node has zero code root and steps (no ZeroSteps for it): its leaf commits to the tile fields.
        NodeSpec[] memory nodes = tiledSample();
        bytes32 id = reg(nodes, sampleInputs(), 3, 16);
        assertEq(id, expectedId(nodes, sampleInputs(), 3, 16));
        assertTrue(id != reg(sampleNodes(), sampleInputs(), 3, 16), "tiled and untiled are other models");
        // Every tile field is in the leaf.
        nodes[1].numTiles = 4;
        assertTrue(reg(nodes, sampleInputs(), 3, 16) != id);
        nodes = tiledSample();
        nodes[1].tilesRoot = keccak256("other tiles");
        assertTrue(reg(nodes, sampleInputs(), 3, 16) != id);
        nodes = tiledSample();
        nodes[1].windowBase = 64;
        assertTrue(reg(nodes, sampleInputs(), 3, 16) != id);
        nodes = tiledSample();
        nodes[1].windowHeight = 1;
        assertTrue(reg(nodes, sampleInputs(), 3, 16) != id);
    }

    function test_register_tiledBounds_succeeds() public {
        // MAX_TILES tiles; one tile; a window adjacent to the output (words 32 ..) and one at the top of memory.
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].numTiles = uint32(validator.MAX_TILES());
        reg(nodes, sampleInputs(), 3, 16);
        nodes[1].numTiles = 1;
        nodes[1].windowHeight = 0;
        reg(nodes, sampleInputs(), 3, 16);
        nodes[1].windowHeight = uint8(MEM_DEPTH - 1);
        nodes[1].windowBase = uint32(MEM_WORDS / 2);
        reg(nodes, sampleInputs(), 3, 16);
        assertEq(validator.MAX_TILES(), 1 << 20);
    }

    function test_register_tooManyTiles_reverts() public {
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].numTiles = uint32((1 << 20) + 1);
        expectTiledRefused(
            nodes, abi.encodeWithSelector(ModelTooLarge.selector, "tiles", (1 << 20) + 1, 1 << 20)
        );
    }

    function test_register_tiledNodeWithCodeRoot_reverts() public {
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].codeRoot = keccak256("code 1");
        expectTiledRefused(nodes, abi.encodeWithSelector(ProgramOnTiledNode.selector, 1));
    }

    function test_register_tiledNodeWithSteps_reverts() public {
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].steps = 7;
        expectTiledRefused(nodes, abi.encodeWithSelector(ProgramOnTiledNode.selector, 1));
    }

    function test_register_untiledNodeWithTileFields_reverts() public {
        // numTiles = 0 is an untiled node: any other tile field set is refused, each on its own.
        NodeSpec[] memory nodes = sampleNodes();
        nodes[1].tilesRoot = keccak256("tiles");
        expectTiledRefused(nodes, abi.encodeWithSelector(TileFieldsOnUntiledNode.selector, 1));
        nodes = sampleNodes();
        nodes[1].windowBase = 32;
        expectTiledRefused(nodes, abi.encodeWithSelector(TileFieldsOnUntiledNode.selector, 1));
        nodes = sampleNodes();
        nodes[0].windowHeight = 1;
        expectTiledRefused(nodes, abi.encodeWithSelector(TileFieldsOnUntiledNode.selector, 0));
    }

    function test_register_misalignedWindow_reverts() public {
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].windowBase = 40; // not a multiple of 32
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionMisaligned.selector, 40, 2));
        nodes[1].windowBase = 36;
        nodes[1].windowHeight = 0; // not a multiple of 8
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionMisaligned.selector, 36, 0));
    }

    function test_register_windowOutsideMemory_reverts() public {
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].windowBase = uint32(MEM_WORDS);
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionOutOfRange.selector, MEM_WORDS, 2));
        nodes[1].windowBase = 0;
        nodes[1].windowHeight = uint8(MEM_DEPTH + 1);
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionOutOfRange.selector, 0, MEM_DEPTH + 1));
    }

    function test_register_windowOverlapsInput_reverts() public {
        // Node 1 reads slot 2 at words 0 .. 7 and a constant at 8 .. 15.
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].windowBase = 0;
        nodes[1].windowHeight = 0; // the slot input itself
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 0, 0));
        nodes[1].windowBase = 8; // the constant input
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 8, 0));
        nodes[1].windowBase = 0;
        nodes[1].windowHeight = 1; // both inputs inside the window
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 0, 1));
        nodes[1].windowHeight = uint8(MEM_DEPTH); // the whole memory
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 0, MEM_DEPTH));
    }

    function test_register_windowOverlapsOutput_reverts() public {
        // Node 1 writes words 16 .. 31; its inputs sit below 16.
        NodeSpec[] memory nodes = tiledSample();
        nodes[1].windowBase = 16;
        nodes[1].windowHeight = 1; // exactly the output region
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 16, 1));
        nodes[1].windowBase = 24;
        nodes[1].windowHeight = 0; // inside it
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 24, 0));
        // A window holding the output: node 0 (inputs at 0 .. 7 and 64 .. 127, output 128 .. 135) with a window at
        // 128 .. 255.
        nodes = sampleNodes();
        nodes[0].codeRoot = 0;
        nodes[0].steps = 0;
        nodes[0].numTiles = 2;
        nodes[0].windowBase = 128;
        nodes[0].windowHeight = 4;
        expectTiledRefused(nodes, abi.encodeWithSelector(RegionsOverlap.selector, 128, 4));
        nodes[0].windowBase = 256; // clear of everything
        reg(nodes, sampleInputs(), 3, 16);
    }
}
