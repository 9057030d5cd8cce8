// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, hashState, MEM_DEPTH} from "../../src/VMTypes.sol";
import {Numerics} from "../../src/Numerics.sol";
import {InputRegion, NodeSpec, TileSpec} from "../../src/ModelTypes.sol";
import {TileEntryProof, TileVMProof} from "../../src/GameTypes.sol";
import {SmallTree} from "./SmallTree.sol";
import {Tracer} from "./Tracer.sol";
import {Asm} from "./Asm.sol";
import {ToyModels} from "./ToyModels.sol";

/// @title TiledToys
/// @notice A tiny real tiled node for game tests (docs/GAME.md, "Tiled nodes"). Memory (8-word leaves, every region
///         of height 0): the input at leaf 0 (words 0..7), the output at leaf 1 (words 8..15), the window at leaf 2
///         (words 16..23). Tile k's window holds 8 constants W_k; tile 0 writes out = in + W_0, tile k >= 1 writes
///         out = out + W_k (LOAD, LOAD, ADD, STORE per word), and every tile then scribbles on the window (a STORE of
///         its last sum into window word 0, which the next tile's constants replace) before HALT: 34 steps. So the
///         node's output is in + W_0 + ... + W_{m-1}, word by word.
///         A tile state sigma_k is kept as its 3-leaf memory prefix (SmallTree pads it with zeros to MEM_DEPTH).
library TiledToys {
    uint64 internal constant TILE_STEPS = 34;
    uint32 internal constant OUT_BASE = 8;
    uint32 internal constant WINDOW_BASE = 16;
    uint256 internal constant OUT_LEAF = 1;
    uint256 internal constant WINDOW_LEAF = 2;

    // ------------------------------------------------------------------------------------------------------
    // The commitment
    // ------------------------------------------------------------------------------------------------------

    /// @dev W_k: the constants in tile k's window.
    function windowWords(uint256 k) internal pure returns (int32[8] memory w) {
        for (uint256 i = 0; i < 8; i++) {
            w[i] = int32(int256(100 * (k + 1) + 7 * i));
        }
    }

    function windowLeaf(uint256 k) internal pure returns (bytes32) {
        return Asm.leaf(windowWords(k));
    }

    /// @dev Tile k's program (see the title).
    function tileCode(uint256 k) internal pure returns (bytes32[] memory code) {
        code = new bytes32[](TILE_STEPS);
        uint256 pc = 0;
        for (uint256 i = 0; i < 8; i++) {
            int32 w = int32(int256(i));
            code[pc++] = Asm.load(1, k == 0 ? w : int32(OUT_BASE) + w);
            code[pc++] = Asm.load(2, int32(WINDOW_BASE) + w);
            code[pc++] = Asm.add(1, 1, 2);
            code[pc++] = Asm.store(1, int32(OUT_BASE) + w);
        }
        code[pc++] = Asm.store(1, int32(WINDOW_BASE));
        code[pc] = Asm.halt();
    }

    function tile(uint256 k) internal pure returns (TileSpec memory t) {
        t.codeRoot = SmallTree.root(tileCode(k), 16);
        t.steps = TILE_STEPS;
        t.windowRoot = windowLeaf(k);
    }

    function tileLeaves(uint256 m) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](m);
        for (uint256 k = 0; k < m; k++) {
            leaves[k] = keccak256(abi.encode(tile(k)));
        }
    }

    function tilesRoot(uint256 m) internal pure returns (bytes32) {
        return SmallTree.root(tileLeaves(m), SmallTree.ceilLog2(m));
    }

    function tileSiblings(uint256 m, uint256 k) internal pure returns (bytes32[] memory) {
        return SmallTree.proof(tileLeaves(m), k, SmallTree.ceilLog2(m));
    }

    /// @dev A tiled node of m tiles reading slot `slot` at word 0 and writing words 8..15.
    function spec(uint256 m, uint32 slot) internal pure returns (NodeSpec memory s) {
        s.outBase = OUT_BASE;
        s.outHeight = 0;
        s.inputs = new InputRegion[](1);
        s.inputs[0] = InputRegion({fromSlot: true, slot: slot, root: 0, base: 0, height: 0});
        s.numTiles = uint32(m);
        s.tilesRoot = tilesRoot(m);
        s.windowBase = WINDOW_BASE;
        s.windowHeight = 0;
    }

    // ------------------------------------------------------------------------------------------------------
    // Tensors
    // ------------------------------------------------------------------------------------------------------

    /// @dev The node's true output for input x: x + W_0 + ... + W_{m-1}.
    function output(int32[8] memory x, uint256 m) internal pure returns (int32[8] memory y) {
        for (uint256 i = 0; i < 8; i++) {
            y[i] = x[i];
        }
        for (uint256 k = 0; k < m; k++) {
            int32[8] memory w = windowWords(k);
            for (uint256 i = 0; i < 8; i++) {
                y[i] = Numerics.add32(y[i], w[i]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Tile states and runs
    // ------------------------------------------------------------------------------------------------------

    /// @dev The tile states sigma_0 .. sigma_m of the node on input leaf `inLeaf` (each a 3-leaf memory prefix) and
    ///      each tile's final VM state. When `lie`, tile `lieTile`'s result is off by one in output word 0 (and every
    ///      later tile runs honestly from that wrong state), and its final VM state is forged to hold it: a liar's
    ///      consistent story.
    function run(VMJudge judge, bytes32 inLeaf, uint256 m, bool lie, uint256 lieTile)
        internal
        pure
        returns (bytes32[][] memory sigma, VMState[] memory finals)
    {
        sigma = new bytes32[][](m + 1);
        finals = new VMState[](m);
        sigma[0] = new bytes32[](3);
        sigma[0][0] = inLeaf;
        for (uint256 k = 0; k < m; k++) {
            (VMState memory fin, bytes32[] memory finalMem) =
                Tracer.finish(judge, tileCode(k), mu(sigma[k], k), TILE_STEPS);
            if (lie && k == lieTile) {
                finalMem[OUT_LEAF] = bumpWord0(finalMem[OUT_LEAF]);
                fin.memRoot = root(finalMem);
            }
            finals[k] = fin;
            sigma[k + 1] = finalMem;
        }
    }

    /// @dev mu_k: sigma_k with tile k's constants in the window.
    function mu(bytes32[] memory sigmaK, uint256 k) internal pure returns (bytes32[] memory m) {
        m = Tracer.copy(sigmaK);
        m[WINDOW_LEAF] = windowLeaf(k);
    }

    function root(bytes32[] memory memPrefix) internal pure returns (bytes32) {
        return SmallTree.root(memPrefix, MEM_DEPTH);
    }

    function roots(bytes32[][] memory sigma) internal pure returns (bytes32[] memory r) {
        r = new bytes32[](sigma.length);
        for (uint256 k = 0; k < sigma.length; k++) {
            r[k] = root(sigma[k]);
        }
    }

    /// @dev The leaf with word 0 one higher.
    function bumpWord0(bytes32 l) internal pure returns (bytes32) {
        int32[8] memory w;
        for (uint256 i = 0; i < 8; i++) {
            w[i] = Asm.leafWord(l, i);
        }
        w[0] = Numerics.add32(w[0], 1);
        return Asm.leaf(w);
    }

    /// @dev The VM state hashes of tile k's run from sigma_k (0 .. TILE_STEPS); the last one replaced by
    ///      hashState(claimedFinal) (a liar's forged final state; the real one for the honest).
    function claimedTrace(VMJudge judge, bytes32[] memory sigmaK, uint256 k, VMState memory claimedFinal)
        internal
        pure
        returns (bytes32[] memory h)
    {
        h = Tracer.hashes(judge, tileCode(k), mu(sigmaK, k), TILE_STEPS);
        h[TILE_STEPS] = hashState(claimedFinal);
    }

    // ------------------------------------------------------------------------------------------------------
    // Witnesses
    // ------------------------------------------------------------------------------------------------------

    /// @dev startTiles' witness for node j of `specs` (tiled, its one input from slot `specs[j].inputs[0].slot`)
    ///      with `world`'s graph states and the tile states' last prefix `sigmaM`.
    function entry(
        NodeSpec[] memory specs,
        uint256 j,
        bytes32[] memory world,
        uint256 numInputs,
        bytes32[] memory sigmaM
    ) internal pure returns (TileEntryProof memory t) {
        NodeSpec memory s = specs[j];
        uint256 filled = numInputs + j;
        t.spec = s;
        t.nodeSiblings = SmallTree.proof(ToyModels.nodeLeaves(specs), j, SmallTree.ceilLog2(specs.length));
        t.slotRoots = new bytes32[](1);
        t.slotSiblings = new bytes32[][](1);
        t.slotRoots[0] = world[s.inputs[0].slot];
        t.slotSiblings[0] = ToyModels.slotProof(world, filled, s.inputs[0].slot);
        t.finalMem = root(sigmaM);
        t.outRoot = sigmaM[OUT_LEAF];
        t.outSiblings = SmallTree.proof(sigmaM, OUT_LEAF, MEM_DEPTH);
        t.outSlotSiblings = ToyModels.slotProof(world, filled, filled);
    }

    /// @dev startTileVM's witness for tile k of an m-tile node from the tile state prefix `sigmaK`, with the final
    ///      VM state `fin`.
    function tileVM(uint256 m, uint256 k, bytes32[] memory sigmaK, VMState memory fin)
        internal
        pure
        returns (TileVMProof memory t)
    {
        t.tile = tile(k);
        t.tileSiblings = tileSiblings(m, k);
        t.window = sigmaK[WINDOW_LEAF];
        t.windowSiblings = SmallTree.proof(sigmaK, WINDOW_LEAF, MEM_DEPTH);
        t.finalState = fin;
    }
}
