// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {NodeSpec, Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {ModelValidator} from "./ModelValidator.sol";
import {
    UnknownDraft,
    NotDraftOwner,
    DraftChunkMismatch,
    DraftIncomplete,
    DraftRootMismatch,
    DraftPositionMismatch,
    ModelTooLarge
} from "./GameErrors.sol";

/// @title RegistrationDrafts
/// @notice Registration in chunks, for a model whose node specs do not fit one transaction (docs/GAME.md, "Model
///         commitment"): `begin` checks the sizes, `append` checks the next 2^chunkLog specs exactly as
///         ModelValidator.validate checks them and keeps the root of their leaves as a subtree of the node tree,
///         and ModelRegistry.finishRegistration takes the finished draft's nodesRoot from `complete`. The root is the
///         one `validate` computes for the same specs, so a model has one id however it was registered.
/// @dev Deployed by ModelRegistry (outside the game's code size). A draft belongs to whoever began it: nobody else
///      can append to it, so nobody can spoil another's registration. A draft's id binds its owner, its header and
///      the node tree root its owner announced, so two models of one shape are two drafts, and a draft completes
///      only if the specs appended give that root.
contract RegistrationDrafts {
    /// @notice At most 2^MAX_CHUNK_LOG specs per append.
    uint256 public constant MAX_CHUNK_LOG = 12;

    /// @notice The contract that checks every spec (the registry's).
    ModelValidator public immutable modelValidator;

    struct Draft {
        address owner;
        uint32 numNodes;
        /// @dev Specs appended so far (a multiple of 2^chunkLog until the last chunk).
        uint32 added;
        uint32 outputSlot;
        uint32 outputWords;
        uint8 chunkLog;
        /// @dev The node tree root announced at `begin`: the draft completes only with specs that give it.
        bytes32 nodesRoot;
        uint32[] inputWords;
        /// @dev The tree height of every slot so far (the graph inputs', then each appended node's output height),
        ///      one byte each, 32 to a word: slot s is byte s % 32 (from the most significant) of word s / 32. A
        ///      chunk loads only the words its regions read, so an append costs the same late in a big model.
        mapping(uint256 => bytes32) heightWords;
        /// @dev Root of chunk k's leaves as a subtree of height min(chunkLog, the node tree's depth).
        bytes32[] chunkRoots;
    }

    mapping(bytes32 => Draft) internal _drafts;

    /// @notice A draft was begun.
    event DraftBegun(bytes32 indexed draftId, address indexed owner, uint32 numNodes, uint8 chunkLog);
    /// @notice Specs first .. first + count - 1 were checked and appended.
    event DraftAppended(bytes32 indexed draftId, uint32 first, uint32 count);

    constructor(ModelValidator validator) {
        modelValidator = validator;
    }

    /// @notice The id of the draft `owner` begins with this header and announced node tree root.
    function draftId(
        address owner,
        uint32 numNodes,
        uint32[] calldata inputWords,
        uint32 outputSlot,
        uint32 outputWords,
        uint8 chunkLog,
        bytes32 nodesRoot
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, numNodes, inputWords, outputSlot, outputWords, chunkLog, nodesRoot));
    }

    /// @notice Begins (or, if already begun, resumes) a draft of a model of `numNodes` nodes appended 2^chunkLog
    ///         at a time, whose specs give the node tree root `nodesRoot` (what the owner computed off-chain).
    ///         Reverts with validate's size checks (ModelValidator.validateHeader).
    function begin(
        uint32 numNodes,
        uint32[] calldata inputWords,
        uint32 outputSlot,
        uint32 outputWords,
        uint8 chunkLog,
        bytes32 nodesRoot
    ) external returns (bytes32 id) {
        if (chunkLog > MAX_CHUNK_LOG) revert ModelTooLarge("chunk log", chunkLog, MAX_CHUNK_LOG);
        id = draftId(msg.sender, numNodes, inputWords, outputSlot, outputWords, chunkLog, nodesRoot);
        Draft storage d = _drafts[id];
        if (d.owner != address(0)) return id;
        bytes memory inputHeights = modelValidator.validateHeader(numNodes, inputWords, outputSlot, outputWords);
        d.owner = msg.sender;
        d.numNodes = numNodes;
        d.outputSlot = outputSlot;
        d.outputWords = outputWords;
        d.chunkLog = chunkLog;
        d.nodesRoot = nodesRoot;
        d.inputWords = inputWords;
        _storeHeights(d, 0, inputHeights);
        emit DraftBegun(id, msg.sender, numNodes, chunkLog);
    }

    /// @notice Appends the next chunk: specs first .. first + nodes.length - 1, where `first` must be the count
    ///         appended so far and the chunk 2^chunkLog specs, or all that remain for the last chunk. Reverts with
    ///         validate's checks of those specs.
    function append(bytes32 id, uint32 first, NodeSpec[] calldata nodes) external {
        Draft storage d = _drafts[id];
        if (d.owner == address(0)) revert UnknownDraft(id);
        // INVARIANT: only the owner extends a draft, so nobody can append specs to another's registration.
        if (msg.sender != d.owner) revert NotDraftOwner(msg.sender);
        uint256 added = d.added;
        // INVARIANT: a chunk lands at the position its sender meant, so a chunk sent twice (a resend, or a client
        // restarted while its first send was pending) is refused instead of being appended as the next one.
        if (first != added) revert DraftPositionMismatch(id, added, first);
        uint256 want = _chunkSize(d, added);
        // INVARIANT: chunks are whole aligned subtrees of the node tree (the last one zero-padded), so their roots
        // compose into the root `validate` computes over all the specs at once.
        if (nodes.length != want || want == 0) revert DraftChunkMismatch(id, want, nodes.length);
        uint256 known = d.inputWords.length + added;
        (bytes32 root, bytes memory nodeHeights) = _validateChunk(d, nodes, added, known);
        d.chunkRoots.push(root);
        _storeHeights(d, known, nodeHeights);
        // Safe: added + want <= numNodes, a uint32.
        d.added = uint32(added + want);
        emit DraftAppended(id, uint32(added), uint32(want));
    }

    /// @dev The size the next chunk must have: 2^chunkLog, or what remains.
    function _chunkSize(Draft storage d, uint256 added) private view returns (uint256) {
        uint256 remaining = d.numNodes - added;
        uint256 size = uint256(1) << d.chunkLog;
        return remaining < size ? remaining : size;
    }

    /// @dev validateChunk of specs added .. added + nodes.length - 1 with the heights of the `known` slots before them.
    function _validateChunk(Draft storage d, NodeSpec[] calldata nodes, uint256 added, uint256 known)
        private
        view
        returns (bytes32 root, bytes memory nodeHeights)
    {
        uint256 depth = Commitments.nodeDepth(d.numNodes);
        uint256 h = d.chunkLog < depth ? d.chunkLog : depth;
        return modelValidator.validateChunk(nodes, added, d.inputWords.length, _heightsRead(d, nodes, known), h);
    }

    /// @notice A finished draft's commitment: every spec appended and checked, the output slot's height the
    ///         output's, the node tree's root composed from the chunk roots and equal to the announced one.
    ///         Reverts DraftIncomplete or DraftRootMismatch otherwise.
    function complete(bytes32 id) external view returns (Model memory m) {
        Draft storage d = _drafts[id];
        if (d.owner == address(0)) revert UnknownDraft(id);
        if (d.added != d.numNodes) revert DraftIncomplete(id, d.added, d.numNodes);
        modelValidator.checkOutputHeight(d.outputSlot, d.outputWords, _height(d, d.outputSlot));
        uint256 depth = Commitments.nodeDepth(d.numNodes);
        uint256 h = d.chunkLog < depth ? d.chunkLog : depth;
        bytes32 zero = 0;
        for (uint256 i = 0; i < h; i++) {
            zero = keccak256(abi.encode(zero, zero));
        }
        m.nodesRoot = Commitments.prefixRoot(d.chunkRoots, depth - h, zero);
        // INVARIANT: a draft registers the model its owner announced, or nothing: two models of one shape never
        // share a draft, and a client's model id is the id registered.
        if (m.nodesRoot != d.nodesRoot) revert DraftRootMismatch(id, d.nodesRoot, m.nodesRoot);
        m.numNodes = d.numNodes;
        m.outputSlot = d.outputSlot;
        m.outputWords = d.outputWords;
        m.inputWords = d.inputWords;
    }

    /// @dev The heights of slots 0 .. known - 1 as validateChunk reads them, with only the words the chunk's
    ///      regions read loaded (the rest zero, never read: validateChunk checks a slot is produced before reading
    ///      its height). Its length is rounded up to whole words.
    function _heightsRead(Draft storage d, NodeSpec[] calldata nodes, uint256 known) private view returns (bytes memory heights) {
        heights = new bytes((known + 31) & ~uint256(31));
        for (uint256 k = 0; k < nodes.length; k++) {
            for (uint256 i = 0; i < nodes[k].inputs.length; i++) {
                if (!nodes[k].inputs[i].fromSlot) continue;
                uint256 slot = nodes[k].inputs[i].slot;
                if (slot >= known) continue; // in this chunk (validateChunk has it) or not produced yet (it reverts)
                uint256 w = slot >> 5;
                bytes32 word = d.heightWords[w];
                assembly ("memory-safe") {
                    mstore(add(add(heights, 32), shl(5, w)), word)
                }
            }
        }
    }

    /// @dev Writes `hs` as the heights of slots first .. first + hs.length - 1.
    function _storeHeights(Draft storage d, uint256 first, bytes memory hs) private {
        uint256 end = first + hs.length;
        for (uint256 w = first >> 5; (w << 5) < end; w++) {
            bytes32 word = d.heightWords[w];
            uint256 from = w << 5 > first ? w << 5 : first;
            uint256 to = (w + 1) << 5 < end ? (w + 1) << 5 : end;
            for (uint256 s = from; s < to; s++) {
                word |= bytes32(uint256(uint8(hs[s - first])) << (8 * (31 - (s & 31))));
            }
            d.heightWords[w] = word;
        }
    }

    /// @dev The stored height of slot `slot`.
    function _height(Draft storage d, uint256 slot) private view returns (uint256) {
        return uint8(d.heightWords[slot >> 5][slot & 31]);
    }

    /// @notice Progress of a draft: its owner (zero if unknown), node count and specs appended so far.
    function progress(bytes32 id) external view returns (address owner, uint32 numNodes, uint32 added) {
        Draft storage d = _drafts[id];
        return (d.owner, d.numNodes, d.added);
    }
}
