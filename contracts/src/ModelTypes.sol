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
///         An untiled node (numTiles = 0) is one VM program; a tiled node (numTiles >= 1) is numTiles programs run
///         one after another over one shared memory, each with its own constants in the window region
///         (docs/GAME.md, "Tiled nodes").
/// @param codeRoot Root of the node's VM program (zero for a tiled node).
/// @param steps T: the program halts after exactly T steps (zero for a tiled node).
/// @param outBase Word address of the output region in VM memory.
/// @param outHeight Subtree height of the output region.
/// @param inputs The node's input regions; every word not covered by one starts at zero.
/// @param numTiles m: the number of tiles; 0 for an untiled node.
/// @param tilesRoot Root of the depth-ceil(log2 m) tree whose leaf i is keccak256(abi.encode(tile i)) (TileSpec);
///        leaves past m are zero. Zero for an untiled node.
/// @param windowBase Word address of the window region, where each tile's constants are placed before it runs
///        (zero for an untiled node).
/// @param windowHeight Subtree height of the window region (zero for an untiled node).
struct NodeSpec {
    bytes32 codeRoot;
    uint64 steps;
    uint32 outBase;
    uint8 outHeight;
    InputRegion[] inputs;
    uint32 numTiles;
    bytes32 tilesRoot;
    uint32 windowBase;
    uint8 windowHeight;
}

/// @notice Tile i of a tiled node; leaf i of the node's tile tree is keccak256(abi.encode(tile)).
/// @param codeRoot Root of the tile's VM program.
/// @param steps The tile's program halts after exactly this many steps (1 .. 2^40, checked when it is played).
/// @param windowRoot Root, at the node's windowHeight, of the constants the tile reads from the window.
struct TileSpec {
    bytes32 codeRoot;
    uint64 steps;
    bytes32 windowRoot;
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
