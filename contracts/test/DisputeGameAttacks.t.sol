// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Test.sol";
import {InputRegion, NodeSpec} from "../src/ModelTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {InputUploads} from "../src/InputUploads.sol";
import {InputSizeMismatch, OutputSizeMismatch, OutputNotInFinalState} from "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {UploadsHarness} from "./utils/UploadsHarness.sol";
import {CommitmentsHarness} from "./utils/CommitmentsHarness.sol";
import {BigTensor} from "./utils/BigTensor.sol";
import {SmallTree} from "./utils/SmallTree.sol";

/// @notice Attacks on what a submission commits to. Inputs: a submitter cannot hide its input behind a root (the
///         8 words spelling the root), nor publish it one word short or long, nor zero-padded to another size, even
///         where such an upload has the very same root: every input is exactly the model's word count, published
///         on-chain, and recoverable from the chain alone. There is no root-only entry point. Outputs: the 8 words
///         spelling the output's root, or the output with zero padding added or dropped, are refused.
/// @dev The "wide" model: one input of IN words read whole at word 0 (height tensorHeight(IN)), one node writing
///      OUT words at word 2^16; the output is the node's slot. Each tensor is BigTensor's pseudo-random words.
contract DisputeGameAttacksTest is GameFixture {
    UploadsHarness internal uploads;
    CommitmentsHarness internal commitments;

    function setUp() public override {
        super.setUp();
        uploads = new UploadsHarness();
        commitments = new CommitmentsHarness();
    }

    /// @dev A submission's ingredients: the model, the true input and output (packed) and their roots.
    struct Wide {
        bytes32 id;
        uint256 inWords;
        uint256 outWords;
        bytes input;
        bytes output;
        bytes32 inRoot;
        bytes32 outRoot;
    }

    function height(uint256 words) internal pure returns (uint8) {
        return uint8(SmallTree.ceilLog2((words + 7) / 8));
    }

    /// @dev Registers the wide model for (inWords, outWords) and makes its tensors; the last word of each is zero
    ///      when `zeroTail` (so dropping it keeps the root).
    function wide(uint256 inWords, uint256 outWords, bool zeroTail) internal returns (Wide memory w) {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0].codeRoot = keccak256("wide");
        specs[0].steps = 100;
        specs[0].outBase = 1 << 16;
        specs[0].outHeight = height(outWords);
        specs[0].inputs = new InputRegion[](1);
        specs[0].inputs[0] = InputRegion({fromSlot: true, slot: 0, root: 0, base: 0, height: height(inWords)});
        uint32[] memory inputWords = new uint32[](1);
        inputWords[0] = uint32(inWords);
        w.id = game.register(specs, inputWords, 1, uint32(outWords));
        w.inWords = inWords;
        w.outWords = outWords;
        bytes32[] memory inLeaves = BigTensor.leaves(11, inWords);
        bytes32[] memory outLeaves = BigTensor.leaves(12, outWords);
        if (zeroTail) {
            inLeaves = zeroLastWord(inLeaves, inWords);
            outLeaves = zeroLastWord(outLeaves, outWords);
        }
        w.input = BigTensor.packed(inLeaves, inWords);
        w.output = BigTensor.packed(outLeaves, outWords);
        w.inRoot = BigTensor.referenceRoot(inLeaves);
        w.outRoot = BigTensor.referenceRoot(outLeaves);
    }

    function zeroLastWord(bytes32[] memory l, uint256 n) internal pure returns (bytes32[] memory) {
        uint256 lane = (n - 1) % 8;
        uint256 mask = ~(uint256(type(uint32).max) << (32 * (7 - lane)));
        l[l.length - 1] = bytes32(uint256(l[l.length - 1]) & mask);
        return l;
    }

    function finalState(Wide memory w) internal pure returns (bytes32) {
        return SmallTree.hashPair(w.inRoot, w.outRoot);
    }

    function outSiblings(Wide memory w) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](1);
        s[0] = w.inRoot;
    }

    function begin(bytes memory words) internal returns (uint256[] memory ups) {
        ups = new uint256[](1);
        vm.prank(submitter);
        ups[0] = game.beginInput(words);
    }

    function submitAs(Wide memory w, uint256[] memory ups, bytes memory output) internal returns (uint256) {
        vm.prank(submitter);
        return game.submit{value: MIN_BOND}(w.id, ups, output, finalState(w), outSiblings(w));
    }

    function withZeros(bytes memory b, uint256 words) internal pure returns (bytes memory) {
        return bytes.concat(b, new bytes(4 * words));
    }

    function firstWords(bytes memory b, uint256 words) internal pure returns (bytes memory) {
        return BigTensor.slice(b, 0, 4 * words);
    }

    function test_submit_honestWide_succeeds() public {
        // The baseline the attacks below deviate from: the exact input and output are accepted.
        Wide memory w = wide(64, 64, false);
        uint256 id = submitAs(w, begin(w.input), w.output);
        assertEq(game.submission(id).initialState, SmallTree.hashPair(w.inRoot, 0));
        assertEq(game.submission(id).outputRoot, w.outRoot);
    }

    // ======================================================================================================
    // Inputs
    // ======================================================================================================

    function test_submit_hiddenInputRootAsWords_reverts() public {
        // The 8 words that spell the input's root: as an upload they even have that root (one leaf, height 0), so
        // only the size pin stops a submitter from committing to an input nobody can read.
        Wide memory w = wide(64, 8, false);
        bytes memory spelled = abi.encodePacked(w.inRoot);
        vm.prank(submitter);
        uint256 u = uploads.beginInput(spelled);
        assertEq(uploads.inputRoot(u, 0, 8), w.inRoot, "the alias has the true root");
        uint256[] memory ups = begin(spelled);
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 64, 8));
        submitAs(w, ups, w.output);
    }

    function test_submit_inputOneWordShort_reverts() public {
        // The true input ends in a zero word: without it, the 63 words hash to the same root at the same height.
        Wide memory w = wide(64, 8, true);
        bytes memory shortInput = firstWords(w.input, 63);
        vm.prank(submitter);
        uint256 u = uploads.beginInput(shortInput);
        assertEq(uploads.inputRoot(u, 0, 63), w.inRoot, "same root");
        uint256[] memory ups = begin(shortInput);
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 64, 63));
        submitAs(w, ups, w.output);
    }

    function test_submit_inputZeroPadded_reverts() public {
        // A 60-word input padded with 4 zero words to 64: the same tree, the same root; another tensor shape.
        Wide memory w = wide(60, 8, false);
        bytes memory padded = withZeros(w.input, 4);
        vm.prank(submitter);
        uint256 u = uploads.beginInput(padded);
        assertEq(uploads.inputRoot(u, 0, 64), w.inRoot, "same root");
        uint256[] memory ups = begin(padded);
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 60, 64));
        submitAs(w, ups, w.output);
        // Padded into the next tree (a different root anyway) and one word long: refused the same way.
        ups = begin(withZeros(w.input, 5));
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 60, 65));
        submitAs(w, ups, w.output);
        ups = begin(withZeros(w.input, 1));
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 60, 61));
        submitAs(w, ups, w.output);
    }

    function test_submit_inputLong_reverts() public {
        Wide memory w = wide(64, 8, false);
        uint256[] memory ups = begin(bytes.concat(w.input, hex"0000002a"));
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 64, 65));
        submitAs(w, ups, w.output);
    }

    function test_submit_multiChunkInputShort_reverts() public {
        // A 3-chunk input, its last chunk one word short.
        Wide memory w = wide(2 * 8192 + 100, 8, false);
        uint256[] memory ups = new uint256[](1);
        vm.startPrank(submitter);
        ups[0] = game.beginInput(BigTensor.slice(w.input, 0, 4 * 8192));
        game.appendInput(ups[0], BigTensor.slice(w.input, 4 * 8192, 4 * 16384));
        game.appendInput(ups[0], BigTensor.slice(w.input, 4 * 16384, 4 * (16384 + 99)));
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 0, 16384 + 100, 16384 + 99));
        submitAs(w, ups, w.output);
    }

    function test_submit_rootOnlyEntryPointsGone_reverts() public {
        // The old entry points that took roots (or words not published as uploads) do not exist: the game has no
        // fallback, so their selectors revert without data.
        string[3] memory gone = [
            "submit(bytes32,bytes32[],int32[],bytes32,bytes32[])",
            "submitWithInputs(bytes32,int32[][],int32[],bytes32,bytes32[])",
            "submit(bytes32,bytes32[],bytes,bytes32,bytes32[])"
        ];
        for (uint256 i = 0; i < gone.length; i++) {
            vm.prank(submitter);
            (bool ok, bytes memory ret) = address(game).call{value: MIN_BOND}(
                abi.encodeWithSignature(gone[i], bytes32(0), new bytes32[](1), new int32[](8), bytes32(0), new bytes32[](1))
            );
            assertFalse(ok, gone[i]);
            assertEq(ret.length, 0);
        }
        assertEq(DisputeGame.submit.selector, bytes4(keccak256("submit(bytes32,uint256[],bytes,bytes32,bytes32[])")));
    }

    function test_submit_inputsRecoverableFromChain_succeeds() public {
        // Data availability: the InputChunk events of the uploads a submission names hold exactly the words whose
        // root is in S_0 (a challenger re-executes from the chain alone).
        Wide memory w = wide(2 * 8192 + 1500, 8, false);
        vm.recordLogs();
        uint256[] memory ups = new uint256[](1);
        vm.startPrank(submitter);
        ups[0] = game.beginInput(BigTensor.slice(w.input, 0, 4 * 8192));
        game.appendInput(ups[0], BigTensor.slice(w.input, 4 * 8192, 4 * 16384));
        game.appendInput(ups[0], BigTensor.slice(w.input, 4 * 16384, w.input.length));
        vm.stopPrank();
        uint256 id = submitAs(w, ups, w.output);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes memory recovered;
        bytes32[] memory inputRoots;
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].topics[0] == InputUploads.InputChunk.selector && uint256(logs[i].topics[1]) == ups[0]) {
                (uint256 index, bytes memory chunk) = abi.decode(logs[i].data, (uint256, bytes));
                assertEq(index * 8192 * 4, recovered.length, "chunks in order");
                recovered = bytes.concat(recovered, chunk);
            } else if (logs[i].topics[0] == DisputeGame.Submitted.selector) {
                (,, bytes32[] memory roots,,) = abi.decode(logs[i].data, (uint256, uint256[], bytes32[], bytes, bytes32));
                inputRoots = roots;
            }
        }
        assertEq(recovered, w.input, "the chain holds every word");
        assertEq(inputRoots.length, 1);
        assertEq(inputRoots[0], w.inRoot, "the root in the event is the whole tensor's reference root");
        assertEq(game.submission(id).initialState, SmallTree.hashPair(w.inRoot, 0));
    }

    // ======================================================================================================
    // Outputs
    // ======================================================================================================

    function test_submit_outputRootSpelledAsWords_reverts() public {
        // 8 words that spell the output's root: hashed as one leaf they would be that root; the output is 64 words.
        Wide memory w = wide(8, 64, false);
        uint256[] memory ups = begin(w.input);
        vm.expectRevert(abi.encodeWithSelector(OutputSizeMismatch.selector, 256, 32));
        submitAs(w, ups, abi.encodePacked(w.outRoot));
    }

    function test_submit_outputZeroPaddingAdded_reverts() public {
        // A 60-word output with 4 zero words added: the same root at the same height.
        Wide memory w = wide(8, 60, false);
        bytes memory padded = withZeros(w.output, 4);
        assertEq(commitments.packedRoot(padded, 3), w.outRoot, "same root");
        uint256[] memory ups = begin(w.input);
        vm.expectRevert(abi.encodeWithSelector(OutputSizeMismatch.selector, 240, 256));
        submitAs(w, ups, padded);
    }

    function test_submit_outputZeroDropped_reverts() public {
        // A 64-word output ending in a zero word, posted without it: the same root at the same height.
        Wide memory w = wide(8, 64, true);
        bytes memory dropped = firstWords(w.output, 63);
        assertEq(commitments.packedRoot(dropped, 3), w.outRoot, "same root");
        uint256[] memory ups = begin(w.input);
        vm.expectRevert(abi.encodeWithSelector(OutputSizeMismatch.selector, 256, 252));
        submitAs(w, ups, dropped);
    }

    function test_submit_outputOtherWordsRightSize_reverts() public {
        Wide memory w = wide(8, 64, false);
        bytes memory changed = bytes.concat(firstWords(w.output, 63), hex"7fffffff");
        bytes32 root = commitments.packedRoot(changed, 3);
        uint256[] memory ups = begin(w.input);
        vm.expectRevert(abi.encodeWithSelector(OutputNotInFinalState.selector, root));
        submitAs(w, ups, changed);
    }
}
