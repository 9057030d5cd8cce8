// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {InputRegion, NodeSpec, TileSpec, Model} from "../src/ModelTypes.sol";
import {VMState, hashState, MEM_DEPTH, STATUS_RUNNING} from "../src/VMTypes.sol";
import {BadProofLength} from "../src/VMErrors.sol";
import {
    RegionMisaligned, RegionOutOfRange, RegionsOverlap, InputCountMismatch, PackedWordsMalformed
} from "../src/GameErrors.sol";
import {CommitmentsHarness} from "./utils/CommitmentsHarness.sol";
import {SmallTree} from "./utils/SmallTree.sol";

/// @notice Commitments against naive full-tree builds (SmallTree and level-by-level placement written here).
contract CommitmentsTest is Test {
    CommitmentsHarness internal h;

    /// @dev Reduced tree depth for the naive composeMemory reference: 32 leaves.
    uint256 internal constant SMALL_DEPTH = 5;

    function setUp() public {
        h = new CommitmentsHarness();
    }

    // ======================================================================================================
    // Naive references
    // ======================================================================================================

    /// @dev The depth-`depth` tree with each region's root placed at its level: build every level in full,
    ///      overwriting the placed nodes (all-zero below them, since regions are disjoint).
    function naiveCompose(InputRegion[] memory regions, bytes32[] memory slotRoots, uint256 depth)
        internal
        pure
        returns (bytes32)
    {
        bytes32[] memory level = new bytes32[](uint256(1) << depth);
        for (uint256 lv = 0; lv <= depth; lv++) {
            if (lv > 0) {
                bytes32[] memory up = new bytes32[](level.length / 2);
                for (uint256 i = 0; i < up.length; i++) {
                    up[i] = SmallTree.hashPair(level[2 * i], level[2 * i + 1]);
                }
                level = up;
            }
            for (uint256 r = 0; r < regions.length; r++) {
                if (regions[r].height != lv) continue;
                level[regions[r].base / 8 / (uint256(1) << lv)] = regions[r].fromSlot ? slotRoots[r] : regions[r].root;
            }
        }
        return level[0];
    }

    /// @dev Up to 7 random disjoint aligned regions of heights 0..3 in a depth-5 tree, sorted by base; fromSlot ones get their
    ///      root from slotRoots, the others a constant root (and a decoy slot root that must be ignored).
    function randomRegions(uint256 seed) internal pure returns (InputRegion[] memory regions, bytes32[] memory roots) {
        InputRegion[] memory tmp = new InputRegion[](7);
        bytes32[] memory tmpRoots = new bytes32[](7);
        bool[] memory used = new bool[](uint256(1) << SMALL_DEPTH);
        uint256 wanted = seed % 8;
        uint256 count = 0;
        for (uint256 attempt = 0; attempt < 24 && count < wanted; attempt++) {
            uint256 r = uint256(keccak256(abi.encode(seed, attempt)));
            uint256 height = r % 4;
            uint256 index = (r >> 8) % (uint256(1) << (SMALL_DEPTH - height));
            uint256 first = index << height;
            uint256 size = uint256(1) << height;
            bool free = true;
            for (uint256 k = first; k < first + size; k++) {
                if (used[k]) free = false;
            }
            if (!free) continue;
            for (uint256 k = first; k < first + size; k++) {
                used[k] = true;
            }
            bool fromSlot = (r >> 16) & 1 == 1;
            tmp[count] = InputRegion({
                fromSlot: fromSlot,
                slot: uint32(r >> 24),
                root: keccak256(abi.encode(r, "constant")),
                base: uint32(first * 8),
                height: uint8(height)
            });
            tmpRoots[count] = keccak256(abi.encode(r, "slot"));
            count++;
        }
        // Sorted by base, as registration requires (insertion sort, keeping each root with its region).
        for (uint256 i = 1; i < count; i++) {
            for (uint256 k = i; k > 0 && tmp[k - 1].base > tmp[k].base; k--) {
                (tmp[k - 1], tmp[k]) = (tmp[k], tmp[k - 1]);
                (tmpRoots[k - 1], tmpRoots[k]) = (tmpRoots[k], tmpRoots[k - 1]);
            }
        }
        regions = new InputRegion[](count);
        roots = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            regions[i] = tmp[i];
            roots[i] = tmpRoots[i];
        }
    }

    /// @dev A depth-5 root lifted into the depth-MEM_DEPTH tree as its leftmost subtree.
    function liftToMemory(bytes32 smallRoot) internal pure returns (bytes32 node) {
        node = smallRoot;
        for (uint256 lv = SMALL_DEPTH; lv < MEM_DEPTH; lv++) {
            node = SmallTree.hashPair(node, SmallTree.zero(lv));
        }
    }

    /// @dev The tensor of `words` as the docs define it: P = 8 * 2^height words (the words, then zeros), leaf l
    ///      holding words 8l .. 8l + 7 big-endian, the full tree over all 2^height leaves.
    function naiveTensorRoot(int32[] memory words) internal pure returns (bytes32) {
        uint256 p = 8;
        while (p < words.length) p *= 2;
        bytes32[] memory leaves = new bytes32[](p / 8);
        for (uint256 l = 0; l < leaves.length; l++) {
            bytes memory packed;
            for (uint256 i = 0; i < 8; i++) {
                uint256 k = 8 * l + i;
                packed = bytes.concat(packed, abi.encodePacked(k < words.length ? words[k] : int32(0)));
            }
            leaves[l] = bytes32(packed);
        }
        return SmallTree.root(leaves, SmallTree.ceilLog2(leaves.length));
    }

    /// @dev Words packed 4 bytes each, big-endian (abi.encodePacked of each int32).
    function pack(int32[] memory words) internal pure returns (bytes memory packed) {
        for (uint256 i = 0; i < words.length; i++) {
            packed = bytes.concat(packed, abi.encodePacked(words[i]));
        }
    }

    function region(bool fromSlot, bytes32 root, uint256 base, uint256 height)
        internal
        pure
        returns (InputRegion memory)
    {
        return InputRegion({fromSlot: fromSlot, slot: 0, root: root, base: uint32(base), height: uint8(height)});
    }

    function one(InputRegion memory r) internal pure returns (InputRegion[] memory a) {
        a = new InputRegion[](1);
        a[0] = r;
    }

    function two(InputRegion memory r, InputRegion memory s) internal pure returns (InputRegion[] memory a) {
        a = new InputRegion[](2);
        a[0] = r;
        a[1] = s;
    }

    // ======================================================================================================
    // nodeLeaf, modelId
    // ======================================================================================================

    function sampleSpec() internal pure returns (NodeSpec memory spec) {
        spec.codeRoot = keccak256("code");
        spec.steps = 1234;
        spec.outBase = 64;
        spec.outHeight = 3;
        spec.inputs = new InputRegion[](2);
        spec.inputs[0] = InputRegion({fromSlot: true, slot: 3, root: 0, base: 0, height: 3});
        spec.inputs[1] = InputRegion({fromSlot: false, slot: 0, root: keccak256("w"), base: 128, height: 4});
    }

    function test_nodeLeaf_isAbiEncodeHash_succeeds() public view {
        NodeSpec memory spec = sampleSpec();
        assertEq(h.nodeLeaf(spec), keccak256(abi.encode(spec)));
    }

    function test_nodeLeaf_everyFieldCounts_succeeds() public view {
        bytes32 base = h.nodeLeaf(sampleSpec());
        NodeSpec memory s = sampleSpec();
        s.steps += 1;
        assertTrue(h.nodeLeaf(s) != base);
        s = sampleSpec();
        s.outHeight = 2;
        assertTrue(h.nodeLeaf(s) != base);
        s = sampleSpec();
        s.inputs[1].fromSlot = true;
        assertTrue(h.nodeLeaf(s) != base);
        s = sampleSpec();
        s.inputs[0].slot = 4;
        assertTrue(h.nodeLeaf(s) != base);
    }

    function test_modelId_isAbiEncodeOfFields_succeeds(
        bytes32 root,
        uint32 n,
        uint32 out,
        uint32 outWords,
        uint32[] memory inWords
    ) public view {
        Model memory m =
            Model({nodesRoot: root, numNodes: n, outputSlot: out, outputWords: outWords, inputWords: inWords});
        assertEq(h.modelId(m), keccak256(abi.encode(root, n, out, outWords, inWords)));
    }

    function test_modelId_everyFieldCounts_succeeds() public view {
        uint32[] memory inWords = new uint32[](2);
        inWords[0] = 784;
        inWords[1] = 3;
        Model memory m = Model({nodesRoot: repeat(0x33), numNodes: 5, outputSlot: 6, outputWords: 10, inputWords: inWords});
        bytes32 id = h.modelId(m);
        m.outputWords = 11;
        assertTrue(h.modelId(m) != id, "output size");
        m.outputWords = 10;
        m.inputWords[1] = 4;
        assertTrue(h.modelId(m) != id, "an input's size");
        m.inputWords = new uint32[](3);
        m.inputWords[0] = 784;
        m.inputWords[1] = 3;
        assertTrue(h.modelId(m) != id, "the number of inputs");
    }

    // ======================================================================================================
    // slotDepth, initialGraphState
    // ======================================================================================================

    function test_slotDepth_table_succeeds() public view {
        uint256[10] memory n = [uint256(0), 1, 2, 3, 4, 5, 8, 9, 1024, 1025];
        uint256[10] memory d = [uint256(0), 0, 1, 2, 2, 3, 3, 4, 10, 11];
        for (uint256 i = 0; i < n.length; i++) {
            assertEq(h.slotDepth(n[i]), d[i]);
        }
    }

    function test_initialGraphState_smallCases_succeeds() public view {
        bytes32 a = keccak256("a");
        bytes32 b = keccak256("b");
        bytes32[] memory one_ = new bytes32[](1);
        one_[0] = a;
        assertEq(h.initialGraphState(one_, 1), a); // depth 0: the slot itself
        bytes32[] memory ab = new bytes32[](2);
        ab[0] = a;
        ab[1] = b;
        bytes32 z1 = SmallTree.hashPair(0, 0);
        assertEq(h.initialGraphState(ab, 3), SmallTree.hashPair(SmallTree.hashPair(a, b), z1));
        assertEq(h.initialGraphState(new bytes32[](0), 4), SmallTree.zero(2));
    }

    function test_initialGraphState_matchesNaive_succeeds(uint256 seed, uint256 k, uint256 numSlots) public view {
        numSlots = bound(numSlots, 1, 300);
        k = bound(k, 0, numSlots);
        bytes32[] memory inputs = new bytes32[](k);
        bytes32[] memory leaves = new bytes32[](numSlots);
        for (uint256 i = 0; i < k; i++) {
            inputs[i] = keccak256(abi.encode(seed, i));
            leaves[i] = inputs[i];
        }
        assertEq(h.initialGraphState(inputs, numSlots), SmallTree.root(leaves, SmallTree.ceilLog2(numSlots)));
    }

    function test_initialGraphState_moreInputsThanSlots_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 2, 3));
        h.initialGraphState(new bytes32[](3), 2);
    }

    // ======================================================================================================
    // tensorHeight, packedRoot, prefixRoot
    // ======================================================================================================

    function test_tensorHeight_table_succeeds() public view {
        uint256[10] memory w = [uint256(0), 1, 8, 9, 16, 17, 8192, 8193, 150528, 1 << 22];
        uint256[10] memory ht = [uint256(0), 0, 0, 1, 1, 2, 10, 11, 15, 19];
        for (uint256 i = 0; i < w.length; i++) {
            assertEq(h.tensorHeight(w[i]), ht[i]);
        }
    }

    function test_packedRoot_smallCases_succeeds() public view {
        assertEq(h.packedRoot("", 0), bytes32(0));
        assertEq(h.packedRoot("", 3), SmallTree.zero(3), "the empty string is the zero tree");
        // One leaf, words big-endian two's complement, zero-padded; height 0: the root is the leaf.
        assertEq(h.packedRoot(hex"00000001ffffffff80000000", 0), bytes32(hex"00000001ffffffff80000000"));
        bytes memory nine = new bytes(36);
        nine[35] = 0x07;
        assertEq(h.packedRoot(nine, 1), SmallTree.hashPair(0, bytes32(uint256(7) << 224)));
    }

    function test_packedRoot_matchesNaive_succeeds(uint256 seed, uint256 n) public view {
        n = bound(n, 0, 80);
        int32[] memory w = new int32[](n);
        for (uint256 i = 0; i < n; i++) {
            w[i] = int32(int256(uint256(keccak256(abi.encode(seed, i)))) % 2 ** 31);
        }
        assertEq(h.packedRoot(pack(w), h.tensorHeight(n)), naiveTensorRoot(w));
    }

    function test_packedRoot_higherTreeIsZeroPadded_succeeds(uint256 seed, uint256 extra) public view {
        // The same words at a larger height: the tensor's root paired with zero subtrees (another tree).
        int32[] memory w = new int32[](11);
        for (uint256 i = 0; i < 11; i++) {
            w[i] = int32(int256(uint256(keccak256(abi.encode(seed, i)))) % 2 ** 31);
        }
        extra = bound(extra, 1, 5);
        bytes32 node = naiveTensorRoot(w);
        for (uint256 lv = 1; lv < 1 + extra; lv++) {
            node = SmallTree.hashPair(node, SmallTree.zero(lv));
        }
        assertEq(h.packedRoot(pack(w), 1 + extra), node);
    }

    function test_packedRoot_partialWord_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(PackedWordsMalformed.selector, 5, 0));
        h.packedRoot(hex"0000000102", 0);
    }

    function test_packedRoot_tooManyWordsForHeight_reverts() public {
        // 9 words do not fit one leaf.
        vm.expectRevert(abi.encodeWithSelector(PackedWordsMalformed.selector, 36, 0));
        h.packedRoot(new bytes(36), 0);
        vm.expectRevert(abi.encodeWithSelector(PackedWordsMalformed.selector, 68, 1));
        h.packedRoot(new bytes(68), 1);
    }

    function test_prefixRoot_matchesNaive_succeeds(uint256 seed, uint256 n, uint256 extra) public view {
        n = bound(n, 0, 70);
        uint256 depth = SmallTree.ceilLog2(n) + bound(extra, 0, 3);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            leaves[i] = keccak256(abi.encode(seed, i));
        }
        assertEq(h.prefixRoot(leaves, depth), SmallTree.root(leaves, depth));
    }

    // ======================================================================================================
    // composeMemory
    // ======================================================================================================

    function test_composeTree_matchesNaive_succeeds(uint256 seed) public view {
        (InputRegion[] memory regions, bytes32[] memory roots) = randomRegions(seed);
        assertEq(h.composeTree(regions, roots, SMALL_DEPTH), naiveCompose(regions, roots, SMALL_DEPTH));
    }

    function test_composeMemory_matchesNaiveLifted_succeeds(uint256 seed) public view {
        // Regions inside the first 32 leaves: the memory root is the naive depth-5 root lifted with zero siblings.
        (InputRegion[] memory regions, bytes32[] memory roots) = randomRegions(seed);
        assertEq(h.composeMemory(regions, roots), liftToMemory(naiveCompose(regions, roots, SMALL_DEPTH)));
    }

    function test_composeMemory_unsorted_reverts(uint256 seed) public {
        // Registration and composition take regions sorted by base only: any other order is refused.
        (InputRegion[] memory regions, bytes32[] memory roots) = randomRegions(seed);
        uint256 n = regions.length;
        vm.assume(n >= 2);
        InputRegion[] memory rev = new InputRegion[](n);
        bytes32[] memory revRoots = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            rev[i] = regions[n - 1 - i];
            revRoots[i] = roots[n - 1 - i];
        }
        vm.expectRevert(abi.encodeWithSelector(RegionsOverlap.selector, rev[1].base, rev[1].height));
        h.composeMemory(rev, revRoots);
    }

    function test_checkLayout_sortedDisjoint_succeeds(uint256 seed) public view {
        (InputRegion[] memory regions,) = randomRegions(seed);
        h.checkLayout(regions, SMALL_DEPTH);
        h.checkLayout(regions, MEM_DEPTH);
    }

    function test_checkLayout_adjacentRegions_succeeds() public view {
        // End-to-start neighbours share no word.
        h.checkLayout(two(region(false, 0, 0, 1), region(false, 0, 16, 0)), MEM_DEPTH);
        h.checkLayout(two(region(false, 0, 8, 0), region(false, 0, 16, 1)), MEM_DEPTH);
    }

    /// forge-config: default.fuzz.runs = 64
    function test_composeMemory_linearInRegions_succeeds(uint256 n) public {
        // n leaf regions spread over memory: the cost grows at most linearly (one pass, <= n * depth hashes).
        n = bound(n, 1, 32);
        InputRegion[] memory regions = new InputRegion[](n);
        for (uint256 i = 0; i < n; i++) {
            regions[i] = region(false, keccak256(abi.encode(i)), (i << (MEM_DEPTH - 5)) * 8, 0);
        }
        uint256 before = gasleft();
        h.composeMemory(regions, new bytes32[](n));
        uint256 used = before - gasleft();
        assertLt(used, 30_000 + n * 30_000, "linear in the region count");
    }

    function test_composeMemory_noRegions_succeeds() public view {
        assertEq(h.composeMemory(new InputRegion[](0), new bytes32[](0)), SmallTree.zero(MEM_DEPTH));
    }

    function test_composeMemory_farRegions_succeeds() public view {
        // The last leaf of memory, and a height-3 region at the start of the right half (leaves 2^18 .. 2^18 + 7).
        bytes32 top = keccak256("top");
        bytes32 mid = keccak256("mid");
        uint256 topLeaf = (uint256(1) << MEM_DEPTH) - 1;
        uint256 midBase = (uint256(1) << (MEM_DEPTH - 1)) * 8;
        InputRegion[] memory regions = two(region(true, 0, midBase, 3), region(false, top, topLeaf * 8, 0));
        bytes32[] memory roots = new bytes32[](2);
        roots[0] = mid;
        // The top leaf's siblings: zero subtrees, except at level MEM_DEPTH - 2, the quarter holding `mid` (mid
        // lifted from level 3 as the leftmost subtree of that quarter).
        bytes32 quarter = mid;
        for (uint256 lv = 3; lv < MEM_DEPTH - 2; lv++) {
            quarter = SmallTree.hashPair(quarter, SmallTree.zero(lv));
        }
        bytes32[] memory siblings = new bytes32[](MEM_DEPTH);
        for (uint256 lv = 0; lv < MEM_DEPTH; lv++) {
            siblings[lv] = lv == MEM_DEPTH - 2 ? quarter : SmallTree.zero(lv);
        }
        assertEq(h.composeMemory(regions, roots), SmallTree.fold(top, topLeaf, siblings));
    }

    function test_composeMemory_wholeMemoryRegion_succeeds() public view {
        bytes32 r = keccak256("everything");
        assertEq(h.composeMemory(one(region(false, r, 0, MEM_DEPTH)), new bytes32[](1)), r);
    }

    function test_composeMemory_constantIgnoresSlotRoot_succeeds() public view {
        bytes32[] memory decoy = new bytes32[](1);
        decoy[0] = keccak256("decoy");
        bytes32 w = keccak256("w");
        assertEq(
            h.composeMemory(one(region(false, w, 8, 0)), decoy),
            h.composeMemory(one(region(false, w, 8, 0)), new bytes32[](1))
        );
        // A slot region uses its slot root, not the region's root field.
        assertEq(
            h.composeMemory(one(region(true, w, 8, 0)), decoy),
            h.composeMemory(one(region(false, decoy[0], 8, 0)), new bytes32[](1))
        );
    }

    function test_composeMemory_misaligned_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(RegionMisaligned.selector, 8, 1));
        h.composeMemory(one(region(false, 0, 8, 1)), new bytes32[](1));
        vm.expectRevert(abi.encodeWithSelector(RegionMisaligned.selector, 3, 0));
        h.composeMemory(one(region(false, 0, 3, 0)), new bytes32[](1));
    }

    function test_composeMemory_outOfRange_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(RegionOutOfRange.selector, 0, MEM_DEPTH + 1));
        h.composeMemory(one(region(false, 0, 0, MEM_DEPTH + 1)), new bytes32[](1));
        uint256 past = uint256(1) << (MEM_DEPTH + 3); // the first word address past memory
        vm.expectRevert(abi.encodeWithSelector(RegionOutOfRange.selector, past, 0));
        h.composeMemory(one(region(false, 0, past, 0)), new bytes32[](1));
    }

    function test_composeMemory_sameRegionTwice_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(RegionsOverlap.selector, 16, 1));
        h.composeMemory(two(region(false, 0, 16, 1), region(true, 0, 16, 1)), new bytes32[](2));
    }

    function test_composeMemory_containedRegion_reverts() public {
        // A leaf inside a height-2 region, in both orders: the second region starts before the first one ends.
        vm.expectRevert(abi.encodeWithSelector(RegionsOverlap.selector, 48, 0));
        h.composeMemory(two(region(false, 0, 32, 2), region(false, 0, 48, 0)), new bytes32[](2));
        vm.expectRevert(abi.encodeWithSelector(RegionsOverlap.selector, 32, 2));
        h.composeMemory(two(region(false, 0, 48, 0), region(false, 0, 32, 2)), new bytes32[](2));
    }

    function test_composeMemory_slotRootCount_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 2));
        h.composeMemory(one(region(false, 0, 0, 0)), new bytes32[](2));
    }

    // ======================================================================================================
    // verifySubtreeRoot, initialVMStateHash
    // ======================================================================================================

    function test_verifySubtreeRoot_againstCompose_succeeds(uint256 seed, uint256 height, uint256 index) public view {
        height = bound(height, 0, MEM_DEPTH);
        index = bound(index, 0, (uint256(1) << (MEM_DEPTH - height)) - 1);
        bytes32 sub = keccak256(abi.encode(seed));
        uint256 base = (index << height) * 8;
        bytes32 memRoot = h.composeMemory(one(region(false, sub, base, height)), new bytes32[](1));
        // In an otherwise-zero memory the siblings are Z[height], Z[height + 1], ...
        bytes32[] memory siblings = new bytes32[](MEM_DEPTH - height);
        for (uint256 k = 0; k < siblings.length; k++) {
            siblings[k] = SmallTree.zero(height + k);
        }
        assertTrue(h.verifySubtreeRoot(memRoot, sub, base, height, siblings));
        assertFalse(h.verifySubtreeRoot(memRoot, keccak256("other"), base, height, siblings));
        if (siblings.length > 0) {
            siblings[seed % siblings.length] = keccak256("wrong");
            assertFalse(h.verifySubtreeRoot(memRoot, sub, base, height, siblings));
        }
    }

    function test_verifySubtreeRoot_wrongLength_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, MEM_DEPTH - 2, MEM_DEPTH));
        h.verifySubtreeRoot(0, 0, 0, 2, new bytes32[](MEM_DEPTH));
    }

    function test_verifySubtreeRoot_misaligned_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(RegionMisaligned.selector, 8, 1));
        h.verifySubtreeRoot(0, 0, 8, 1, new bytes32[](MEM_DEPTH - 1));
    }

    function test_initialVMStateHash_isRunningZeroState_succeeds(bytes32 code, bytes32 mem) public view {
        VMState memory s;
        s.codeRoot = code;
        s.memRoot = mem;
        s.status = STATUS_RUNNING;
        assertEq(h.initialVMStateHash(code, mem), hashState(s));
        int32[16] memory regs;
        assertEq(
            h.initialVMStateHash(code, mem), keccak256(abi.encode(code, mem, uint32(0), uint64(0), uint8(0), regs))
        );
    }

    // ======================================================================================================
    // TypeScript twin (models/int/commitment.ts, models/int/roots.ts)
    // ======================================================================================================

    /// @dev Values printed by the TypeScript twins for the same inputs (nodeLeaf of an untiled and a tiled node,
    ///      the tile leaf, modelIdOf, composeMemory, tensorRoot = packedRoot at the tensor's height, graphState);
    ///      the two must agree byte for byte (docs/GAME.md).
    function test_twin_matchesTypeScript_succeeds() public view {
        NodeSpec memory spec;
        spec.codeRoot = repeat(0x11);
        spec.steps = 1234;
        spec.outBase = 64;
        spec.outHeight = 3;
        spec.inputs = new InputRegion[](2);
        spec.inputs[0] = InputRegion({fromSlot: true, slot: 3, root: 0, base: 0, height: 3});
        spec.inputs[1] = InputRegion({fromSlot: false, slot: 0, root: repeat(0x22), base: 128, height: 4});
        // An untiled node: the four tile fields zero, still encoded (appended after inputs).
        assertEq(h.nodeLeaf(spec), 0x5421f64cf0cef57a848127660e1ad2c924873dea6363f63c55d2d864763f73ee);
        // A tiled node with the same layout: no program of its own, 5 tiles, a window of height 7 at word 1024.
        spec.codeRoot = 0;
        spec.steps = 0;
        spec.numTiles = 5;
        spec.tilesRoot = repeat(0x88);
        spec.windowBase = 1024;
        spec.windowHeight = 7;
        assertEq(h.nodeLeaf(spec), 0x5724b7e2c2517e5066fedf150ab6a00db93096a93c9c73571698ec5b4f15e5de);
        TileSpec memory tile = TileSpec({codeRoot: repeat(0x99), steps: 1 << 20, windowRoot: repeat(0xaa)});
        assertEq(h.tileLeaf(tile), 0xeb6f1cd190ac731259ba14ee1f173c0c772f73673bea4ed569be038039c6d782);

        uint32[] memory inWords = new uint32[](2);
        inWords[0] = 784;
        inWords[1] = 3;
        Model memory m = Model({nodesRoot: repeat(0x33), numNodes: 5, outputSlot: 6, outputWords: 10, inputWords: inWords});
        assertEq(h.modelId(m), 0xefebd8ec8135cc069fe112f2fb3352a767e5ada961a218f88b3c794286391476);

        InputRegion[] memory regions = new InputRegion[](3);
        regions[0] = region(false, repeat(0x44), 0, 3);
        regions[1] = region(false, repeat(0x22), 128, 4);
        regions[2] = region(false, repeat(0x55), 8000, 0);
        assertEq(
            h.composeMemory(regions, new bytes32[](3)),
            0x5d6a59d66cd51c8856f7f0b0aeb10324a53f78782186acff359a64716a2901b3
        );

        int32[] memory w = new int32[](11);
        int32[11] memory values = [int32(1), -1, type(int32).max, type(int32).min, 5, 6, 7, 8, 9, 10, 11];
        for (uint256 i = 0; i < 11; i++) {
            w[i] = values[i];
        }
        assertEq(h.packedRoot(pack(w), 1), 0x05d91deaef1da380321f643e1e828aed7412cc1c8cd2acbf25ebad0dd259dda9);

        bytes32[] memory inputs = new bytes32[](2);
        inputs[0] = repeat(0x66);
        inputs[1] = repeat(0x77);
        assertEq(h.initialGraphState(inputs, 5), 0x3d3af628e1bda058f0f764108794919a86508b05cbe398519f3cec30c9b3f39e);
    }

    /// @dev The word with every byte equal to `b`.
    function repeat(uint8 b) internal pure returns (bytes32) {
        return bytes32(uint256(b) * (type(uint256).max / 0xff));
    }
}
