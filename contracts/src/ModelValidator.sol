// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InputRegion, NodeSpec} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {MEM_DEPTH, MEM_WORDS} from "./VMTypes.sol";
import {
    EmptyModel,
    OutputSlotOutOfRange,
    ModelTooLarge,
    TensorSizeOutOfRange,
    SlotNotProducedYet,
    SlotHeightMismatch,
    ZeroSteps,
    RegionsOverlap,
    TileFieldsOnUntiledNode,
    ProgramOnTiledNode
} from "./GameErrors.sol";

/// @title ModelValidator
/// @notice Registration's checks (docs/GAME.md, "Model commitment"): a model is accepted only if the honest side
///         can play every position of its game, and its node tree is computed here from the checked specs.
///         Stateless and pure; ModelRegistry deploys one (a separate contract keeps the game under the code size
///         limit).
contract ModelValidator {
    /// @notice At most this many nodes (the graph bisection's depth stays <= 20 rounds).
    uint256 public constant MAX_NODES = 1 << 20;
    /// @notice At most this many graph inputs.
    uint256 public constant MAX_GRAPH_INPUTS = 1 << 8;
    /// @notice At most this many input regions per node: with the slot tree's depth (<= 21), startVM's calldata
    ///         and gas stay below the forced-move caps (docs/GAME.md, "Forced moves").
    uint256 public constant MAX_NODE_INPUTS = 32;
    /// @notice At most this many VM steps per node (the VM bisection's depth stays <= 40 rounds).
    uint256 public constant MAX_STEPS = 1 << 40;
    /// @notice At most this many tiles per tiled node (the tile bisection's depth stays <= 20 rounds).
    uint256 public constant MAX_TILES = 1 << 20;

    /// @notice The node tree's root of a model that passes every check, or a revert naming the first that fails:
    ///         sizes out of the bounds above; an untiled node with zero steps or a tile field set; a tiled node with
    ///         a program of its own (codeRoot or steps) or a window misaligned, outside memory or overlapping an
    ///         input or the output region; a region misaligned, outside memory, unsorted or overlapping another; a
    ///         node reading a slot not produced before it; a region whose height is not the height of the slot it
    ///         reads; an output slot out of range or whose height is not the output's.
    function validate(NodeSpec[] calldata nodes, uint32[] calldata inputWords, uint32 outputSlot, uint32 outputWords)
        external
        pure
        returns (bytes32 nodesRoot)
    {
        uint256 numNodes = nodes.length;
        uint256 numInputs = inputWords.length;
        bytes memory heights = new bytes(numInputs + numNodes);
        _checkHeader(numNodes, inputWords, outputSlot, outputWords, heights);
        for (uint256 j = 0; j < numNodes; j++) {
            heights[numInputs + j] = bytes1(nodes[j].outHeight);
        }
        checkOutputHeight(outputSlot, outputWords, uint8(heights[outputSlot]));
        bytes32[] memory leaves = new bytes32[](numNodes);
        for (uint256 j = 0; j < numNodes; j++) {
            _checkNode(nodes[j], j, numInputs, heights);
            leaves[j] = Commitments.nodeLeaf(nodes[j]);
        }
        return Commitments.prefixRoot(leaves, Commitments.nodeDepth(numNodes));
    }

    /// @notice Registration in chunks (RegistrationDrafts), step 1: the checks of `validate` that need no node spec
    ///         (sizes, the output slot's range); returns the graph inputs' tree heights, one byte each.
    function validateHeader(uint256 numNodes, uint32[] calldata inputWords, uint32 outputSlot, uint32 outputWords)
        external
        pure
        returns (bytes memory inputHeights)
    {
        inputHeights = new bytes(inputWords.length);
        _checkHeader(numNodes, inputWords, outputSlot, outputWords, inputHeights);
    }

    /// @notice Registration in chunks, step 2: `validate`'s checks of nodes first .. first + nodes.length - 1, given
    ///         the tree height of every slot before them (`heights`: the graph inputs', then nodes 0 .. first - 1's
    ///         output heights, one byte each; it may be longer, and only the slots the chunk reads need be filled
    ///         in), and the root of their leaves as a depth-`depth` subtree (zero leaves
    ///         after the last). Returns that root and the chunk's output heights.
    function validateChunk(NodeSpec[] calldata nodes, uint256 first, uint256 numInputs, bytes calldata heights, uint256 depth)
        external
        pure
        returns (bytes32 chunkRoot, bytes memory nodeHeights)
    {
        uint256 n = nodes.length;
        uint256 known = numInputs + first; // heights may run past it (whole words): those bytes are not slots yet
        bytes memory all = bytes.concat(heights[:known], new bytes(n));
        nodeHeights = new bytes(n);
        for (uint256 k = 0; k < n; k++) {
            all[known + k] = bytes1(nodes[k].outHeight);
            nodeHeights[k] = bytes1(nodes[k].outHeight);
        }
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 k = 0; k < n; k++) {
            _checkNode(nodes[k], first + k, numInputs, all);
            leaves[k] = Commitments.nodeLeaf(nodes[k]);
        }
        chunkRoot = Commitments.prefixRoot(leaves, depth);
    }

    /// @notice The output's check once every slot's height is known: the posted output's root, hashed at the
    ///         output's height, is the tensor the output slot holds.
    function checkOutputHeight(uint256 outputSlot, uint32 outputWords, uint256 slotHeight) public pure {
        // INVARIANT: the posted output's root, hashed at the output's height, is the tensor the output slot holds.
        if (Commitments.tensorHeight(outputWords) != slotHeight) {
            revert SlotHeightMismatch(outputSlot, slotHeight, Commitments.tensorHeight(outputWords));
        }
    }

    /// @dev The checks on a model's sizes and shapes; writes each graph input's tree height into `heights`.
    function _checkHeader(
        uint256 numNodes,
        uint32[] calldata inputWords,
        uint32 outputSlot,
        uint32 outputWords,
        bytes memory heights
    ) private pure {
        uint256 numInputs = inputWords.length;
        // INVARIANT: the graph bisection runs over at least one node.
        if (numNodes == 0) revert EmptyModel();
        // INVARIANT: the graph bisection has bounded depth.
        if (numNodes > MAX_NODES) revert ModelTooLarge("nodes", numNodes, MAX_NODES);
        if (numInputs > MAX_GRAPH_INPUTS) revert ModelTooLarge("graph inputs", numInputs, MAX_GRAPH_INPUTS);
        for (uint256 i = 0; i < numInputs; i++) {
            _checkWords(inputWords[i]);
            heights[i] = bytes1(uint8(Commitments.tensorHeight(inputWords[i])));
        }
        uint256 numSlots = numInputs + numNodes;
        // INVARIANT: the output is one of the model's slots, so a submission's output proof has a leaf to land on.
        if (outputSlot >= numSlots) revert OutputSlotOutOfRange(outputSlot, numSlots);
        _checkWords(outputWords);
    }

    /// @dev Node j's checks (see validate); `heights` holds the tree height of every slot before it (and maybe more).
    function _checkNode(NodeSpec calldata spec, uint256 j, uint256 numInputs, bytes memory heights) private pure {
        InputRegion[] calldata regions = spec.inputs;
        // INVARIANT: startVM's and startTiles' witness (a slot proof per input) stays under the forced-move caps.
        if (regions.length > MAX_NODE_INPUTS) revert ModelTooLarge("node inputs", regions.length, MAX_NODE_INPUTS);
        // INVARIANT: input regions are aligned, inside memory, sorted and disjoint; so is the output region.
        Commitments.checkLayout(regions, MEM_DEPTH);
        Commitments.checkRegion(spec.outBase, spec.outHeight, MEM_DEPTH);
        if (spec.numTiles == 0) {
            // INVARIANT: a program halts only by executing HALT, one step at least; T = 0 has no halted final state.
            if (spec.steps == 0) revert ZeroSteps();
            // INVARIANT: the VM bisection has bounded depth.
            if (spec.steps > MAX_STEPS) revert ModelTooLarge("steps", spec.steps, MAX_STEPS);
            // INVARIANT: one node, one commitment: an untiled node's leaf has no tile fields that could differ
            // between two encodings of the same node.
            if (spec.tilesRoot != 0 || spec.windowBase != 0 || spec.windowHeight != 0) {
                revert TileFieldsOnUntiledNode(j);
            }
        } else {
            _checkTiles(spec, j);
        }
        uint256 produced = numInputs + j; // slots 0 .. produced - 1 exist when node j runs
        for (uint256 i = 0; i < regions.length; i++) {
            if (!regions[i].fromSlot) continue;
            uint256 slot = regions[i].slot;
            // INVARIANT: a node reads only tensors both sides have agreed on before it runs.
            if (slot >= produced) revert SlotNotProducedYet(j, slot);
            uint256 height = uint8(heights[slot]);
            // INVARIANT: every subtree placed in VM memory is a tensor root at its own height, so every word of
            // the initial memory can be opened by whoever knows the tensors (the honest side always does).
            if (regions[i].height != height) revert SlotHeightMismatch(slot, height, regions[i].height);
        }
    }

    /// @dev A tiled node's checks (docs/GAME.md, "Tiled nodes"): bounded tile count, no program of its own, a window
    ///      that is a whole subtree of memory apart from every input region and from the output region.
    function _checkTiles(NodeSpec calldata spec, uint256 j) private pure {
        // INVARIANT: the tile bisection has bounded depth.
        if (spec.numTiles > MAX_TILES) revert ModelTooLarge("tiles", spec.numTiles, MAX_TILES);
        // INVARIANT: a node is played at one level: a tiled node's programs are its tiles', and its leaf has no
        // program fields that could differ between two encodings of the same node.
        if (spec.codeRoot != 0 || spec.steps != 0) revert ProgramOnTiledNode(j);
        uint256 base = spec.windowBase;
        uint256 height = spec.windowHeight;
        // INVARIANT: the window is a whole subtree of memory, so one sibling path replaces it in any tile state.
        Commitments.checkRegion(base, height, MEM_DEPTH);
        uint256 end = base + (uint256(8) << height);
        InputRegion[] calldata regions = spec.inputs;
        for (uint256 i = 0; i < regions.length; i++) {
            // INVARIANT: the window is zero in sigma_0 and never hides an input: it shares no word with one.
            if (_overlaps(base, end, regions[i].base, regions[i].height)) revert RegionsOverlap(base, height);
        }
        // INVARIANT: no tile's constants ever overwrite the output: the window shares no word with it.
        if (_overlaps(base, end, spec.outBase, spec.outHeight)) revert RegionsOverlap(base, height);
    }

    /// @dev Whether the words [base, end) and the region (otherBase, otherHeight) share a word.
    function _overlaps(uint256 base, uint256 end, uint256 otherBase, uint256 otherHeight)
        private
        pure
        returns (bool)
    {
        return otherBase < end && base < otherBase + (uint256(8) << otherHeight);
    }

    /// @dev Reverts unless 1 <= words <= MEM_WORDS.
    function _checkWords(uint256 words) private pure {
        // INVARIANT: every tensor of a game fits a node's VM memory and has at least one word.
        if (words == 0 || words > MEM_WORDS) revert TensorSizeOutOfRange(words);
    }
}
