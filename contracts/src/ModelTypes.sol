// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The model commitment (docs/GAME.md, "Model commitment"). TypeScript twin: models/int/commitment.ts.

/// @notice One input tensor of a node and where it sits in the node's VM memory.
/// @param fromSlot True: a run-time tensor (graph input or earlier node output) read from the graph state.
/// @param slot Its slot index (used when fromSlot).
/// @param root A constant tensor's root: weights, biases, tables (used when !fromSlot).
/// @param base Word address of the region in the node's VM memory; a multiple of 8 * 2^height.
/// @param height Subtree height of the region (leaves = 2^height, words = 8 * 2^height).
struct InputRegion {
    bool fromSlot;
    uint32 slot;
    bytes32 root;
    uint32 base;
    uint8 height;
}

/// @notice What node j of a model runs; leaf j of the model's node tree is keccak256(abi.encode(spec)).
/// @param codeRoot Root of the node's VM program.
/// @param steps T: the program halts after exactly T steps.
/// @param outBase Word address of the output region in VM memory.
/// @param outHeight Subtree height of the output region.
/// @param inputs The node's input regions; every word not covered by one starts at zero.
struct NodeSpec {
    bytes32 codeRoot;
    uint64 steps;
    uint32 outBase;
    uint8 outHeight;
    InputRegion[] inputs;
}

/// @notice A registered model. Node j (0-based) writes slot numInputs + j; there are numInputs + numNodes slots,
///         numInputs = inputWords.length. Registration derives it from the node specs (ModelRegistry.register).
/// @param nodesRoot Root of the tree over the node leaves, depth ceil(log2 numNodes).
/// @param numNodes Number of nodes (at least 1).
/// @param outputSlot The slot holding the model's output.
/// @param outputWords The output tensor's word count: a submission posts exactly this many words.
/// @param inputWords Each graph input's word count (slot i holds input i): a submission publishes exactly these.
struct Model {
    bytes32 nodesRoot;
    uint32 numNodes;
    uint32 outputSlot;
    uint32 outputWords;
    uint32[] inputWords;
}
