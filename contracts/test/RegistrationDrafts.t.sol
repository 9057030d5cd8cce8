// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {InputRegion, NodeSpec, Model} from "../src/ModelTypes.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {RegistrationDrafts} from "../src/RegistrationDrafts.sol";
import {
    UnknownDraft,
    NotDraftOwner,
    DraftChunkMismatch,
    DraftIncomplete,
    DraftRootMismatch,
    DraftPositionMismatch,
    ModelTooLarge,
    SlotNotProducedYet,
    SlotHeightMismatch,
    ZeroSteps,
    EmptyModel,
    OutputSlotOutOfRange
} from "../src/GameErrors.sol";
import {SmallTree} from "./utils/SmallTree.sol";

/// @notice Registration in chunks (RegistrationDrafts + ModelRegistry.finishRegistration): the same id as `register`
///         for the same specs whatever the chunk size (the node tree computed independently by SmallTree), each of
///         validate's checks still applied across chunk boundaries, and no way for anyone but the draft's owner to
///         change what a draft commits to.
/// @dev The chain model: one graph input of 8 words (height 0); node j reads the previous slot at word 0 (at that
///      slot's height), the input at word 32 and slot j / 2 at word 128, and writes 8 << (j % 3) words at word 64
///      (height j % 3); the output is the last node's slot.
contract RegistrationDraftsTest is Test {
    ModelRegistry internal registry;
    RegistrationDrafts internal drafts;
    address internal constant OTHER = address(0xBEEF);

    function setUp() public {
        registry = new ModelRegistry();
        drafts = registry.registrationDrafts();
    }

    function chain(uint256 n) internal pure returns (NodeSpec[] memory nodes) {
        nodes = new NodeSpec[](n);
        for (uint256 j = 0; j < n; j++) {
            uint256 inHeight = slotHeight(j);
            nodes[j].codeRoot = keccak256(abi.encode("code", j));
            nodes[j].steps = uint64(10 + j);
            nodes[j].outBase = 64;
            nodes[j].outHeight = uint8(j % 3);
            // Three regions: the previous slot, the graph input, and slot j / 2 (far back: another height word).
            nodes[j].inputs = new InputRegion[](3);
            nodes[j].inputs[0] = InputRegion({fromSlot: true, slot: uint32(j), root: 0, base: 0, height: uint8(inHeight)});
            nodes[j].inputs[1] = InputRegion({fromSlot: true, slot: 0, root: 0, base: 32, height: 0});
            uint256 far = j / 2;
            nodes[j].inputs[2] = InputRegion({fromSlot: true, slot: uint32(far), root: 0, base: 128, height: uint8(slotHeight(far))});
        }
    }

    /// @dev The chain model's slot heights: the input 0, node j's output j % 3.
    function slotHeight(uint256 slot) internal pure returns (uint256) {
        return slot == 0 ? 0 : (slot - 1) % 3;
    }

    function inputs() internal pure returns (uint32[] memory w) {
        w = new uint32[](1);
        w[0] = 8;
    }

    function outWords(uint256 n) internal pure returns (uint32) {
        return uint32(8 << ((n - 1) % 3));
    }

    function slice(NodeSpec[] memory nodes, uint256 from, uint256 count) internal pure returns (NodeSpec[] memory out) {
        out = new NodeSpec[](count);
        for (uint256 k = 0; k < count; k++) {
            out[k] = nodes[from + k];
        }
    }

    function rootOf(NodeSpec[] memory nodes) internal pure returns (bytes32) {
        bytes32[] memory l = new bytes32[](nodes.length);
        for (uint256 j = 0; j < nodes.length; j++) {
            l[j] = keccak256(abi.encode(nodes[j]));
        }
        return SmallTree.root(l, SmallTree.ceilLog2(nodes.length));
    }

    /// @dev Begins, appends every chunk and finishes as `msg.sender` = this contract.
    function registerInChunks(NodeSpec[] memory nodes, uint32[] memory inWords, uint32 outSlot, uint32 outW, uint8 chunkLog)
        internal
        returns (bytes32)
    {
        bytes32 id = drafts.begin(uint32(nodes.length), inWords, outSlot, outW, chunkLog, rootOf(nodes));
        uint256 size = uint256(1) << chunkLog;
        for (uint256 from = 0; from < nodes.length; from += size) {
            uint256 count = nodes.length - from < size ? nodes.length - from : size;
            drafts.append(id, uint32(from), slice(nodes, from, count));
        }
        return registry.finishRegistration(id);
    }

    /// @dev The id docs/GAME.md defines, computed independently.
    function expectedId(NodeSpec[] memory nodes, uint32[] memory inWords, uint32 outSlot, uint32 outW) internal pure returns (bytes32) {
        bytes32[] memory l = new bytes32[](nodes.length);
        for (uint256 j = 0; j < nodes.length; j++) {
            l[j] = keccak256(abi.encode(nodes[j]));
        }
        bytes32 root = SmallTree.root(l, SmallTree.ceilLog2(nodes.length));
        return keccak256(abi.encode(root, uint32(nodes.length), outSlot, outW, inWords));
    }

    function test_chunked_sameIdAsRegister_succeeds() public {
        uint256[6] memory sizes = [uint256(1), 2, 5, 16, 37, 64];
        for (uint256 s = 0; s < sizes.length; s++) {
            uint256 n = sizes[s];
            NodeSpec[] memory nodes = chain(n);
            bytes32 want = expectedId(nodes, inputs(), uint32(n), outWords(n));
            for (uint8 c = 0; c <= 7; c++) {
                ModelRegistry fresh = new ModelRegistry();
                registry = fresh;
                drafts = fresh.registrationDrafts();
                assertEq(registerInChunks(nodes, inputs(), uint32(n), outWords(n), c), want, "chunked id = the id");
                assertTrue(fresh.isRegistered(want));
                assertEq(fresh.model(want).numNodes, n);
            }
            assertEq(registry.register(nodes, inputs(), uint32(n), outWords(n)), want, "register gives the same id");
        }
    }

    function testFuzz_chunked_sameIdAsRegister(uint8 nRaw, uint8 cRaw) public {
        uint256 n = 1 + (uint256(nRaw) % 80);
        uint8 c = cRaw % 8;
        NodeSpec[] memory nodes = chain(n);
        bytes32 viaChunks = registerInChunks(nodes, inputs(), uint32(n), outWords(n), c);
        assertEq(viaChunks, expectedId(nodes, inputs(), uint32(n), outWords(n)));
        // Registering the same specs at once afterwards is a no-op returning the same id.
        assertEq(registry.register(nodes, inputs(), uint32(n), outWords(n)), viaChunks);
    }

    function test_chunked_idempotentAndResumable_succeeds() public {
        NodeSpec[] memory nodes = chain(10);
        bytes32 id = drafts.begin(10, inputs(), 10, outWords(10), 2, rootOf(nodes));
        drafts.append(id, uint32(0), slice(nodes, 0, 4));
        // Beginning again resumes the same draft (a restarted client reads progress and goes on).
        assertEq(drafts.begin(10, inputs(), 10, outWords(10), 2, rootOf(nodes)), id);
        (address owner, uint32 numNodes, uint32 added) = drafts.progress(id);
        assertEq(owner, address(this));
        assertEq(numNodes, 10);
        assertEq(added, 4);
        drafts.append(id, uint32(4), slice(nodes, 4, 4));
        drafts.append(id, uint32(8), slice(nodes, 8, 2));
        bytes32 modelId = registry.finishRegistration(id);
        assertEq(registry.finishRegistration(id), modelId, "finishing twice gives the same id");
        // A finished draft takes no more specs.
        vm.expectRevert(abi.encodeWithSelector(DraftChunkMismatch.selector, id, 0, 1));
        drafts.append(id, uint32(10), slice(nodes, 0, 1));
    }

    // ------------------------------------------------------------------------------------------------------
    // Attacks and refusals
    // ------------------------------------------------------------------------------------------------------

    function test_append_byAnother_reverts() public {
        // A griefer cannot append specs to (and so change or block) someone else's draft.
        NodeSpec[] memory nodes = chain(4);
        bytes32 id = drafts.begin(4, inputs(), 4, outWords(4), 1, rootOf(nodes));
        vm.prank(OTHER);
        vm.expectRevert(abi.encodeWithSelector(NotDraftOwner.selector, OTHER));
        drafts.append(id, uint32(0), slice(nodes, 0, 2));
        // Its own draft of the same header is another draft: ids bind the owner.
        vm.prank(OTHER);
        bytes32 theirs = drafts.begin(4, inputs(), 4, outWords(4), 1, rootOf(nodes));
        assertTrue(theirs != id);
    }

    function test_twoModelsOfOneShape_separateDrafts_succeeds() public {
        // Two models with the same header by the same owner (e.g. a model and a poisoned copy of it): each its own
        // draft, each registered under its own id.
        NodeSpec[] memory a = chain(6);
        NodeSpec[] memory b = chain(6);
        b[3].steps = 999;
        bytes32 idA = registerInChunks(a, inputs(), 6, outWords(6), 1);
        bytes32 idB = registerInChunks(b, inputs(), 6, outWords(6), 1);
        assertTrue(idA != idB);
        assertEq(idA, expectedId(a, inputs(), 6, outWords(6)));
        assertEq(idB, expectedId(b, inputs(), 6, outWords(6)));
    }

    function test_finish_specsNotTheAnnouncedRoot_reverts() public {
        // Specs appended that are not the model announced: the draft never completes (nothing is registered).
        NodeSpec[] memory nodes = chain(4);
        NodeSpec[] memory other = chain(4);
        other[2].steps = 999;
        bytes32 id = drafts.begin(4, inputs(), 4, outWords(4), 1, rootOf(nodes));
        drafts.append(id, uint32(0), slice(other, 0, 2));
        drafts.append(id, uint32(2), slice(other, 2, 2));
        vm.expectRevert(abi.encodeWithSelector(DraftRootMismatch.selector, id, rootOf(nodes), rootOf(other)));
        registry.finishRegistration(id);
    }

    function test_append_resentChunk_reverts() public {
        // A client restarted while its chunk was pending sends it again: refused, never appended as the next one.
        NodeSpec[] memory nodes = chain(10);
        bytes32 id = drafts.begin(10, inputs(), 10, outWords(10), 2, rootOf(nodes));
        drafts.append(id, 0, slice(nodes, 0, 4));
        vm.expectRevert(abi.encodeWithSelector(DraftPositionMismatch.selector, id, 4, 0));
        drafts.append(id, 0, slice(nodes, 0, 4));
        vm.expectRevert(abi.encodeWithSelector(DraftPositionMismatch.selector, id, 4, 8));
        drafts.append(id, 8, slice(nodes, 8, 2));
        drafts.append(id, 4, slice(nodes, 4, 4));
        drafts.append(id, 8, slice(nodes, 8, 2));
        assertEq(registry.finishRegistration(id), expectedId(nodes, inputs(), 10, outWords(10)));
    }

    function test_append_wrongChunkSize_reverts() public {
        NodeSpec[] memory nodes = chain(10);
        bytes32 id = drafts.begin(10, inputs(), 10, outWords(10), 2, rootOf(nodes));
        vm.expectRevert(abi.encodeWithSelector(DraftChunkMismatch.selector, id, 4, 3));
        drafts.append(id, uint32(0), slice(nodes, 0, 3));
        vm.expectRevert(abi.encodeWithSelector(DraftChunkMismatch.selector, id, 4, 5));
        drafts.append(id, uint32(0), slice(nodes, 0, 5));
        drafts.append(id, uint32(0), slice(nodes, 0, 4));
        drafts.append(id, uint32(4), slice(nodes, 4, 4));
        // The last chunk is what remains, no more.
        vm.expectRevert(abi.encodeWithSelector(DraftChunkMismatch.selector, id, 2, 4));
        drafts.append(id, uint32(8), slice(nodes, 6, 4));
    }

    function test_finish_incomplete_reverts() public {
        NodeSpec[] memory nodes = chain(5);
        bytes32 id = drafts.begin(5, inputs(), 5, outWords(5), 1, rootOf(nodes));
        drafts.append(id, uint32(0), slice(nodes, 0, 2));
        vm.expectRevert(abi.encodeWithSelector(DraftIncomplete.selector, id, 2, 5));
        registry.finishRegistration(id);
        vm.expectRevert(abi.encodeWithSelector(UnknownDraft.selector, bytes32(uint256(1))));
        registry.finishRegistration(bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(UnknownDraft.selector, bytes32(uint256(1))));
        drafts.append(bytes32(uint256(1)), uint32(0), slice(nodes, 0, 2));
    }

    function test_begin_badHeader_reverts() public {
        vm.expectRevert(EmptyModel.selector);
        drafts.begin(0, inputs(), 0, 8, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(OutputSlotOutOfRange.selector, 9, 9));
        drafts.begin(8, inputs(), 9, 8, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ModelTooLarge.selector, "nodes", (1 << 20) + 1, 1 << 20));
        drafts.begin((1 << 20) + 1, inputs(), 1, 8, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(ModelTooLarge.selector, "chunk log", 13, 12));
        drafts.begin(8, inputs(), 8, 8, 13, 0);
    }

    function test_append_checksAcrossChunks_reverts() public {
        // A node in a later chunk reading a slot of an earlier chunk at the wrong height.
        NodeSpec[] memory nodes = chain(8);
        nodes[5].inputs[0].height = 2; // slot 5 is node 4's output: height 4 % 3 = 1
        bytes32 id = drafts.begin(8, inputs(), 8, outWords(8), 2, rootOf(nodes));
        drafts.append(id, uint32(0), slice(nodes, 0, 4));
        vm.expectRevert(abi.encodeWithSelector(SlotHeightMismatch.selector, 5, 1, 2));
        drafts.append(id, uint32(4), slice(nodes, 4, 4));
        // A node reading a slot produced after it (its own chunk's later node).
        nodes = chain(8);
        nodes[4].inputs[0].slot = 6;
        nodes[4].inputs[0].height = 2; // slot 6 = node 5's output, height 2
        vm.expectRevert(abi.encodeWithSelector(SlotNotProducedYet.selector, 4, 6));
        drafts.append(id, uint32(4), slice(nodes, 4, 4));
        // A node with zero steps.
        nodes = chain(8);
        nodes[7].steps = 0;
        vm.expectRevert(ZeroSteps.selector);
        drafts.append(id, uint32(4), slice(nodes, 4, 4));
    }

    function test_finish_outputHeightMismatch_reverts() public {
        // The output slot's height is only known once its node is appended: checked when finishing.
        NodeSpec[] memory nodes = chain(6); // slot 6 = node 5's output, height 2: 32 words
        bytes32 id = drafts.begin(6, inputs(), 6, 8, 1, rootOf(nodes));
        drafts.append(id, uint32(0), slice(nodes, 0, 2));
        drafts.append(id, uint32(2), slice(nodes, 2, 2));
        drafts.append(id, uint32(4), slice(nodes, 4, 2));
        vm.expectRevert(abi.encodeWithSelector(SlotHeightMismatch.selector, 6, 2, 0));
        registry.finishRegistration(id);
    }
}
