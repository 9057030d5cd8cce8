// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Commitments} from "./Commitments.sol";
import {Merkle} from "./Merkle.sol";
import {MEM_WORDS} from "./VMTypes.sol";
import {UnknownUpload, NotUploader, BadChunk, InputSizeMismatch} from "./GameErrors.sol";

/// @title InputUploads
/// @notice Data availability for graph inputs of any size (docs/GAME.md, "Inputs"): a submitter publishes each
///         input's words on-chain in chunks of at most CHUNK_WORDS words, one transaction each; every chunk is
///         emitted in an InputChunk event (so any challenger can re-execute from the chain alone) and its subtree
///         root is kept, so the tensor root is composed here from the chunks' roots, never taken from a caller.
/// @dev Chunk k covers words [k * CHUNK_WORDS, (k + 1) * CHUNK_WORDS); every chunk but the last is full. A full
///      chunk is an aligned subtree of height CHUNK_HEIGHT of the tensor's tree, so the root at height H >
///      CHUNK_HEIGHT is the prefix root of the chunk roots at height H - CHUNK_HEIGHT, every position past the last
///      chunk holding the zero subtree Z[CHUNK_HEIGHT]. A one-chunk upload keeps its root at its own tensor height.
contract InputUploads {
    /// @notice Words per chunk: 32 KiB of packed words, under every client's and node's transaction size limit.
    uint256 public constant CHUNK_WORDS = 8192;
    /// @notice Tree height of a full chunk: CHUNK_WORDS / 8 = 2^10 leaves.
    uint256 internal constant CHUNK_HEIGHT = 10;

    /// @notice An input being (or done being) published.
    /// @param owner Who began it; only it appends.
    /// @param words Words published so far.
    /// @param chunkRoots Chunk k's subtree root (height CHUNK_HEIGHT; chunk 0 of a one-chunk upload at its own
    ///        tensor height).
    struct Upload {
        address owner;
        uint32 words;
        bytes32[] chunkRoots;
    }

    Upload[] internal _uploads;

    /// @notice Chunk `index` of upload `upload`: its words packed 4 bytes each, big-endian, in order.
    event InputChunk(uint256 indexed upload, uint256 index, bytes words);

    /// @notice Begins an upload with its first chunk; returns its id. See appendInput for the chunk rules.
    function beginInput(bytes calldata words) external returns (uint256 upload) {
        upload = _uploads.length;
        _uploads.push().owner = msg.sender;
        _append(upload, words);
    }

    /// @notice Appends the next chunk to upload `upload`: 1 .. CHUNK_WORDS words packed 4 bytes each, big-endian;
    ///         only after a full chunk. Only the account that began the upload appends.
    function appendInput(uint256 upload, bytes calldata words) external {
        if (upload >= _uploads.length) revert UnknownUpload(upload);
        // INVARIANT: an upload's words come from one publisher, so nobody changes another's pending input.
        if (_uploads[upload].owner != msg.sender) revert NotUploader(msg.sender);
        _append(upload, words);
    }

    /// @dev The tensor root of graph input `input` from upload `upload`, which must hold exactly `expectedWords`.
    function _inputRoot(uint256 upload, uint256 input, uint256 expectedWords) internal view returns (bytes32) {
        if (upload >= _uploads.length) revert UnknownUpload(upload);
        Upload storage u = _uploads[upload];
        // INVARIANT: an input is exactly the model's committed size: its root is at the committed height, and no
        // short, long or re-shaped tensor (nor the words that spell a root) can stand in for it.
        if (u.words != expectedWords) revert InputSizeMismatch(input, expectedWords, u.words);
        bytes32[] memory roots = u.chunkRoots;
        if (roots.length == 1) return roots[0];
        // INVARIANT: the root is the tensor's own tree: a chunk position past the last chunk is an all-zero
        // subtree of the chunks' height, Z[CHUNK_HEIGHT] (not a zero leaf), as in the TypeScript tensorRoot.
        return Commitments.prefixRoot(
            roots, Commitments.tensorHeight(expectedWords) - CHUNK_HEIGHT, Merkle.zeroHash(CHUNK_HEIGHT)
        );
    }

    function _append(uint256 upload, bytes calldata words) private {
        Upload storage u = _uploads[upload];
        uint256 n = words.length / 4;
        // INVARIANT: chunks are whole words, non-empty, at most one chunk, and only after full chunks: chunk k
        // is then exactly the k-th aligned subtree of the tensor, and the upload never exceeds VM memory.
        if (
            words.length % 4 != 0 || n == 0 || n > CHUNK_WORDS || u.words % CHUNK_WORDS != 0
                || u.words + n > MEM_WORDS
        ) {
            revert BadChunk(upload, u.words, words.length);
        }
        // A first chunk that is full has height CHUNK_HEIGHT too, so every root of a multi-chunk upload has it.
        uint256 height = u.words == 0 ? Commitments.tensorHeight(n) : CHUNK_HEIGHT;
        u.chunkRoots.push(Commitments.packedRoot(words, height));
        emit InputChunk(upload, u.chunkRoots.length - 1, words);
        // Safe: u.words + n <= MEM_WORDS < 2^32.
        u.words += uint32(n);
    }
}
