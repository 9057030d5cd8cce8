// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, MEM_DEPTH} from "../../src/VMTypes.sol";
import {Numerics} from "../../src/Numerics.sol";
import {InputRegion, NodeSpec, Model} from "../../src/ModelTypes.sol";
import {TransitionProof} from "../../src/GameTypes.sol";
import {SmallTree} from "./SmallTree.sol";
import {Asm} from "./Asm.sol";

/// @title ToyModels
/// @notice Tiny real models for game tests, every tensor 8 words (one leaf, so a tensor's root is its leaf):
///         - chain(n): 1 input, n nodes; node j reads slot j and writes slot j + 1 = slot j + (j + 1), word by word
///           (program: LOAD, ADD, STORE per word, HALT: 25 steps). chain with one node adding 0 is the plain copy
///           (LOAD, STORE per word, HALT: 17 steps).
///         - sum4: 4 inputs, 1 node writing in0 + in1 + in2 + in3 (65 steps).
///         A "world" is the array of every slot's tensor root, numInputs + numNodes long: the honest run, or a liar's.
library ToyModels {
    uint64 internal constant ADD_STEPS = 25;
    uint64 internal constant COPY_STEPS = 17;
    uint64 internal constant SUM4_STEPS = 65;

    // ------------------------------------------------------------------------------------------------------
    // Specs and models
    // ------------------------------------------------------------------------------------------------------

    /// @dev The increment of chain node j (0 for the one-node copy model).
    function chainIncrement(uint256 j, bool copy) internal pure returns (int32) {
        return copy ? int32(0) : int32(int256(j + 1));
    }

    function chainCode(uint256 j, bool copy) internal pure returns (bytes32[] memory) {
        return Asm.addProgram(chainIncrement(j, copy));
    }

    /// @dev Node j of the chain: slot j at words 0..7, the output at words 8..15.
    function chainSpec(uint256 j, bool copy) internal pure returns (NodeSpec memory spec) {
        spec.codeRoot = SmallTree.root(chainCode(j, copy), 16);
        spec.steps = copy ? COPY_STEPS : ADD_STEPS;
        spec.outBase = 8;
        spec.outHeight = 0;
        spec.inputs = new InputRegion[](1);
        spec.inputs[0] = InputRegion({fromSlot: true, slot: uint32(j), root: 0, base: 0, height: 0});
    }

    function chainSpecs(uint256 n, bool copy) internal pure returns (NodeSpec[] memory specs) {
        specs = new NodeSpec[](n);
        for (uint256 j = 0; j < n; j++) {
            specs[j] = chainSpec(j, copy);
        }
    }

    function sum4Spec() internal pure returns (NodeSpec memory spec) {
        spec.codeRoot = SmallTree.root(Asm.sum4Program(), 16);
        spec.steps = SUM4_STEPS;
        spec.outBase = 32;
        spec.outHeight = 0;
        spec.inputs = new InputRegion[](4);
        for (uint256 i = 0; i < 4; i++) {
            spec.inputs[i] = InputRegion({fromSlot: true, slot: uint32(i), root: 0, base: uint32(8 * i), height: 0});
        }
    }

    function nodeLeaves(NodeSpec[] memory specs) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](specs.length);
        for (uint256 j = 0; j < specs.length; j++) {
            leaves[j] = keccak256(abi.encode(specs[j]));
        }
    }

    /// @dev The model over `specs` with `numInputs` 8-word inputs whose output (8 words) is the last node's slot, as
    ///      registration stores it (nodesRoot computed here with the independent SmallTree).
    function modelOf(NodeSpec[] memory specs, uint32 numInputs) internal pure returns (Model memory m) {
        m.numNodes = uint32(specs.length);
        m.outputSlot = numInputs + m.numNodes - 1;
        m.outputWords = 8;
        m.inputWords = new uint32[](numInputs);
        for (uint256 i = 0; i < numInputs; i++) {
            m.inputWords[i] = 8;
        }
        m.nodesRoot = SmallTree.root(nodeLeaves(specs), SmallTree.ceilLog2(specs.length));
    }

    /// @dev The model id, written out (keccak256 of the ABI encoding of the five fields).
    function idOf(Model memory m) internal pure returns (bytes32) {
        return keccak256(abi.encode(m.nodesRoot, m.numNodes, m.outputSlot, m.outputWords, m.inputWords));
    }

    /// @dev 8 words packed 4 bytes each, big-endian: the leaf's 32 bytes.
    function pack(int32[8] memory x) internal pure returns (bytes memory) {
        return abi.encodePacked(Asm.leaf(x));
    }

    /// @dev Any number of words packed 4 bytes each, big-endian.
    function packWords(int32[] memory w) internal pure returns (bytes memory out) {
        out = new bytes(4 * w.length);
        for (uint256 i = 0; i < w.length; i++) {
            uint32 u = uint32(w[i]);
            out[4 * i] = bytes1(uint8(u >> 24));
            out[4 * i + 1] = bytes1(uint8(u >> 16));
            out[4 * i + 2] = bytes1(uint8(u >> 8));
            out[4 * i + 3] = bytes1(uint8(u));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Worlds and graph states
    // ------------------------------------------------------------------------------------------------------

    function add8(int32[8] memory a, int32 k) internal pure returns (int32[8] memory b) {
        for (uint256 i = 0; i < 8; i++) {
            b[i] = Numerics.add32(a[i], k);
        }
    }

    /// @dev The chain's slot tensors for input x: honest, or with node `lieNode`'s output off by one in word 0 (and
    ///      every later node computed from it) when `lie`.
    function chainTensors(int32[8] memory x, uint256 n, bool copy, bool lie, uint256 lieNode)
        internal
        pure
        returns (int32[8][] memory t)
    {
        t = new int32[8][](n + 1);
        t[0] = x;
        for (uint256 j = 0; j < n; j++) {
            t[j + 1] = add8(t[j], chainIncrement(j, copy));
            if (lie && j == lieNode) t[j + 1][0] = Numerics.add32(t[j + 1][0], 1);
        }
    }

    function rootsOf(int32[8][] memory t) internal pure returns (bytes32[] memory world) {
        world = new bytes32[](t.length);
        for (uint256 s = 0; s < t.length; s++) {
            world[s] = Asm.leaf(t[s]);
        }
    }

    function chainWorld(int32[8] memory x, uint256 n, bool copy, bool lie, uint256 lieNode)
        internal
        pure
        returns (bytes32[] memory)
    {
        return rootsOf(chainTensors(x, n, copy, lie, lieNode));
    }

    /// @dev Graph state with the first `filled` slots of `world` and the rest zero (S_i has filled = numInputs + i).
    function graphState(bytes32[] memory world, uint256 filled) internal pure returns (bytes32) {
        return SmallTree.root(prefix(world, filled), SmallTree.ceilLog2(world.length));
    }

    function slotProof(bytes32[] memory world, uint256 filled, uint256 slot) internal pure returns (bytes32[] memory) {
        return SmallTree.proof(prefix(world, filled), slot, SmallTree.ceilLog2(world.length));
    }

    function prefix(bytes32[] memory world, uint256 filled) internal pure returns (bytes32[] memory p) {
        p = new bytes32[](world.length);
        for (uint256 s = 0; s < filled; s++) {
            p[s] = world[s];
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // A node's VM memory and the transition
    // ------------------------------------------------------------------------------------------------------

    /// @dev The initial memory leaves of a node whose regions all have height 0: each input's root at leaf base / 8,
    ///      up to and including the output's leaf.
    function nodeMemory(NodeSpec memory spec, bytes32[] memory world) internal pure returns (bytes32[] memory mem) {
        uint256 len = spec.outBase / 8 + 1;
        for (uint256 i = 0; i < spec.inputs.length; i++) {
            if (spec.inputs[i].base / 8 + 1 > len) len = spec.inputs[i].base / 8 + 1;
        }
        mem = new bytes32[](len);
        for (uint256 i = 0; i < spec.inputs.length; i++) {
            InputRegion memory r = spec.inputs[i];
            require(r.height == 0, "ToyModels: height-0 regions only");
            mem[r.base / 8] = r.fromSlot ? world[r.slot] : r.root;
        }
    }

    /// @dev startVM's witness for node j of `specs` with `world`'s graph states, the final state `fin` and its
    ///      memory `finalMem` (the output region has height 0: R is the leaf at outBase / 8).
    function transition(
        NodeSpec[] memory specs,
        uint256 j,
        bytes32[] memory world,
        uint256 numInputs,
        VMState memory fin,
        bytes32[] memory finalMem
    ) internal pure returns (TransitionProof memory t) {
        NodeSpec memory spec = specs[j];
        uint256 filled = numInputs + j;
        t.spec = spec;
        t.nodeSiblings = SmallTree.proof(nodeLeaves(specs), j, SmallTree.ceilLog2(specs.length));
        t.slotRoots = new bytes32[](spec.inputs.length);
        t.slotSiblings = new bytes32[][](spec.inputs.length);
        for (uint256 i = 0; i < spec.inputs.length; i++) {
            if (!spec.inputs[i].fromSlot) continue;
            t.slotRoots[i] = world[spec.inputs[i].slot];
            t.slotSiblings[i] = slotProof(world, filled, spec.inputs[i].slot);
        }
        t.finalState = fin;
        t.outRoot = finalMem[spec.outBase / 8];
        t.outSiblings = SmallTree.proof(finalMem, spec.outBase / 8, MEM_DEPTH);
        t.outSlotSiblings = slotProof(world, filled, filled);
    }
}
