// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {InputRegion, NodeSpec} from "../src/ModelTypes.sol";
import {MEM_WORDS} from "../src/VMTypes.sol";
import {InputUploads} from "../src/InputUploads.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {UnknownUpload, NotUploader, BadChunk, InputSizeMismatch} from "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {UploadsHarness} from "./utils/UploadsHarness.sol";
import {BigTensor} from "./utils/BigTensor.sol";
import {SmallTree} from "./utils/SmallTree.sol";

/// @notice Input uploads (InputUploads, through DisputeGame and a harness exposing the root): the chunk rules, who
///         may append, and that an upload's root, composed on-chain from its chunks, is the reference root of the
///         whole tensor (BigTensor: a full tree over every leaf); a 224 x 224 x 3 input in 19 chunks, submitted.
contract InputUploadsTest is GameFixture {
    uint256 internal constant CHUNK = 8192;

    UploadsHarness internal h;
    address internal stranger = makeAddr("stranger");

    function setUp() public override {
        super.setUp();
        h = new UploadsHarness();
    }

    /// @dev Uploads the n-word tensor of `seed` to `target` in chunks of CHUNK words, as `who`. Returns the upload
    ///      id and the tensor's leaves.
    function uploadTensor(InputUploads target, address who, uint256 seed, uint256 n)
        internal
        returns (uint256 u, bytes32[] memory leaves)
    {
        leaves = BigTensor.leaves(seed, n);
        bytes memory all = BigTensor.packed(leaves, n);
        for (uint256 start = 0; start < n; start += CHUNK) {
            uint256 end = start + CHUNK < n ? start + CHUNK : n;
            bytes memory chunk = BigTensor.slice(all, 4 * start, 4 * end);
            vm.prank(who);
            if (start == 0) u = target.beginInput(chunk);
            else target.appendInput(u, chunk);
        }
    }

    // ======================================================================================================
    // beginInput, appendInput
    // ======================================================================================================

    function test_beginInput_succeeds() public {
        bytes memory w = hex"00000001fffffffe7fffffff80000000";
        vm.expectEmit(address(game));
        emit InputUploads.InputChunk(0, 0, w);
        vm.prank(submitter);
        assertEq(game.beginInput(w), 0);
        vm.prank(other);
        assertEq(game.beginInput(w), 1, "ids count up, one per upload");
    }

    function test_appendInput_succeeds() public {
        bytes32[] memory leaves = BigTensor.leaves(1, CHUNK + 3);
        bytes memory all = BigTensor.packed(leaves, CHUNK + 3);
        vm.prank(submitter);
        uint256 u = game.beginInput(BigTensor.slice(all, 0, 4 * CHUNK));
        bytes memory tail = BigTensor.slice(all, 4 * CHUNK, 4 * CHUNK + 12);
        vm.expectEmit(address(game));
        emit InputUploads.InputChunk(u, 1, tail);
        vm.prank(submitter);
        game.appendInput(u, tail);
    }

    function test_beginInput_emptyChunk_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, 0, 0, 0));
        game.beginInput("");
    }

    function test_beginInput_partialWord_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, 0, 0, 7));
        game.beginInput(hex"00000001000002");
    }

    function test_beginInput_chunkTooLong_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, 0, 0, 4 * (CHUNK + 1)));
        game.beginInput(new bytes(4 * (CHUNK + 1)));
    }

    function test_appendInput_afterShortChunk_reverts() public {
        // Chunk k must be the k-th aligned 8192-word block: nothing may follow a short chunk.
        vm.startPrank(submitter);
        uint256 u = game.beginInput(new bytes(4 * 100));
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, u, 100, 4 * CHUNK));
        game.appendInput(u, new bytes(4 * CHUNK));
        // Also after a short chunk that came after full ones.
        uint256 v = game.beginInput(new bytes(4 * CHUNK));
        game.appendInput(v, new bytes(4 * 5));
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, v, CHUNK + 5, 4));
        game.appendInput(v, new bytes(4));
        vm.stopPrank();
    }

    function test_appendInput_emptyChunk_reverts() public {
        vm.startPrank(submitter);
        uint256 u = game.beginInput(new bytes(4 * CHUNK));
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, u, CHUNK, 0));
        game.appendInput(u, "");
        vm.stopPrank();
    }

    function test_appendInput_notUploader_reverts() public {
        vm.prank(submitter);
        uint256 u = game.beginInput(new bytes(4 * CHUNK));
        vm.expectRevert(abi.encodeWithSelector(NotUploader.selector, stranger));
        vm.prank(stranger);
        game.appendInput(u, hex"00000001");
    }

    function test_appendInput_unknownUpload_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownUpload.selector, 0));
        game.appendInput(0, hex"00000001");
    }

    function test_appendInput_pastMemory_reverts() public {
        // 512 full chunks fill VM memory (2^22 words): not one word more.
        bytes memory full = new bytes(4 * CHUNK);
        vm.startPrank(submitter);
        uint256 u = h.beginInput(full);
        for (uint256 k = 1; k < MEM_WORDS / CHUNK; k++) {
            h.appendInput(u, full);
        }
        assertEq(h.uploadWords(u), MEM_WORDS);
        vm.expectRevert(abi.encodeWithSelector(BadChunk.selector, u, MEM_WORDS, 4));
        h.appendInput(u, hex"00000001");
        vm.stopPrank();
        assertEq(h.inputRoot(u, 0, MEM_WORDS), SmallTree.zero(19), "a whole memory of zeros");
    }

    // ======================================================================================================
    // The composed root against the reference
    // ======================================================================================================

    function test_inputRoot_threeChunksMatchesReference_succeeds() public {
        uint256 n = 2 * CHUNK + 1000;
        (uint256 u, bytes32[] memory leaves) = uploadTensor(h, submitter, 7, n);
        assertEq(h.chunkCount(u), 3);
        assertEq(h.inputRoot(u, 0, n), BigTensor.referenceRoot(leaves));
    }

    function test_inputRoot_chunkBoundaries_succeeds() public {
        // One full chunk (one root at the chunk's height), one word past it, and whole chunks only.
        uint256[5] memory sizes = [CHUNK, CHUNK + 1, 2 * CHUNK, 4 * CHUNK, CHUNK - 1];
        for (uint256 i = 0; i < sizes.length; i++) {
            (uint256 u, bytes32[] memory leaves) = uploadTensor(h, submitter, 100 + i, sizes[i]);
            assertEq(h.inputRoot(u, 0, sizes[i]), BigTensor.referenceRoot(leaves));
        }
    }

    /// forge-config: default.fuzz.runs = 24
    function test_inputRoot_anySizeMatchesReference_succeeds(uint256 seed, uint256 n) public {
        n = bound(n, 1, 3 * CHUNK + 7);
        (uint256 u, bytes32[] memory leaves) = uploadTensor(h, submitter, seed, n);
        assertEq(h.uploadWords(u), n);
        assertEq(h.chunkCount(u), (n + CHUNK - 1) / CHUNK);
        assertEq(h.inputRoot(u, 0, n), BigTensor.referenceRoot(leaves));
    }

    function test_inputRoot_wrongSize_reverts() public {
        (uint256 u,) = uploadTensor(h, submitter, 3, CHUNK + 8);
        vm.expectRevert(abi.encodeWithSelector(InputSizeMismatch.selector, 2, CHUNK + 16, CHUNK + 8));
        h.inputRoot(u, 2, CHUNK + 16);
    }

    function test_inputRoot_unknownUpload_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownUpload.selector, 3));
        h.inputRoot(3, 0, 8);
    }

    // ======================================================================================================
    // A 224 x 224 x 3 input, uploaded in 19 chunks and submitted
    // ======================================================================================================

    function calldataGas(bytes memory data) internal pure returns (uint256 g, uint256 tokens) {
        for (uint256 i = 0; i < data.length; i++) {
            g += data[i] == 0 ? 4 : 16;
            tokens += data[i] == 0 ? 1 : 4;
        }
    }

    /// @dev Runs `data` against the game as `who` from cold storage (a fresh transaction), requires success and
    ///      returns its execution gas and the transaction's estimated total (21,000 + calldata + execution; and the
    ///      EIP-7623 floor, 21,000 + 10 per calldata token, when higher).
    function measured(address who, uint256 value, bytes memory data)
        internal
        returns (uint256 exec, uint256 total, bytes memory ret)
    {
        vm.cool(address(game));
        vm.prank(who);
        bool ok;
        (ok, ret) = address(game).call{value: value}(data);
        require(ok, string.concat("call reverted: ", vm.toString(ret)));
        exec = vm.lastCallGas().gasTotalUsed;
        (uint256 cdGas, uint256 tokens) = calldataGas(data);
        total = 21_000 + cdGas + exec;
        uint256 floor = 21_000 + 10 * tokens;
        if (floor > total) total = floor;
    }

    function test_upload_imageInput150528Words_succeeds() public {
        uint256 n = 224 * 224 * 3; // 150,528 words: 18 full chunks and one of 3,072
        bytes32[] memory leaves = BigTensor.leaves(42, n);
        bytes memory all = BigTensor.packed(leaves, n);
        uint256 u;
        uint256 maxExec;
        uint256 maxTotal;
        uint256 chunks;
        for (uint256 start = 0; start < n; start += CHUNK) {
            uint256 end = start + CHUNK < n ? start + CHUNK : n;
            bytes memory chunk = BigTensor.slice(all, 4 * start, 4 * end);
            bytes memory data = start == 0
                ? abi.encodeCall(InputUploads.beginInput, (chunk))
                : abi.encodeCall(InputUploads.appendInput, (u, chunk));
            (uint256 exec, uint256 total, bytes memory ret) = measured(submitter, 0, data);
            if (start == 0) u = abi.decode(ret, (uint256));
            console.log(
                string.concat(
                    "chunk ",
                    vm.toString(chunks),
                    " (",
                    vm.toString(end - start),
                    " words): execution ",
                    vm.toString(exec),
                    ", calldata bytes ",
                    vm.toString(data.length),
                    ", tx total ~",
                    vm.toString(total)
                )
            );
            assertLt(exec, 2_000_000, "a chunk's execution gas");
            assertLt(total, 2_000_000, "a chunk's whole transaction");
            if (exec > maxExec) maxExec = exec;
            if (total > maxTotal) maxTotal = total;
            chunks++;
        }
        assertEq(chunks, 19);
        console.log("max chunk execution gas:", maxExec);
        console.log("max chunk tx total gas:", maxTotal);

        // A model reading the image at height 15 (2^15 leaves, words 0 .. 262,143) and writing 1,000 words.
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0].codeRoot = keccak256("an image classifier");
        specs[0].steps = 1_000_000;
        specs[0].outBase = 1 << 18;
        specs[0].outHeight = 7;
        specs[0].inputs = new InputRegion[](1);
        specs[0].inputs[0] = InputRegion({fromSlot: true, slot: 0, root: 0, base: 0, height: 15});
        uint32[] memory inputWords = new uint32[](1);
        inputWords[0] = uint32(n);
        bytes32 id = game.register(specs, inputWords, 1, 1000);

        bytes32 inputRoot = BigTensor.referenceRoot(leaves);
        bytes32[] memory outLeaves = BigTensor.leaves(43, 1000);
        bytes32 outRoot = BigTensor.referenceRoot(outLeaves);
        bytes32[] memory siblings = new bytes32[](1);
        siblings[0] = inputRoot;
        uint256[] memory ups = new uint256[](1);
        ups[0] = u;
        bytes memory sub = abi.encodeCall(
            DisputeGame.submit,
            (id, ups, BigTensor.packed(outLeaves, 1000), SmallTree.hashPair(inputRoot, outRoot), siblings)
        );
        (uint256 subExec, uint256 subTotal,) = measured(submitter, MIN_BOND, sub);
        console.log("submit (one 150,528-word input, 1,000-word output): execution", subExec);
        console.log("submit tx total ~", subTotal);
        assertLt(subTotal, 2_000_000);
        assertEq(
            game.submission(0).initialState,
            SmallTree.hashPair(inputRoot, 0),
            "S_0 holds the reference root of the whole image"
        );
        assertEq(game.submission(0).outputRoot, outRoot);
    }
}
