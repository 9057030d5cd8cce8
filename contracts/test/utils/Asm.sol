// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OP_HALT, OP_ADD, OP_LOAD, OP_STORE} from "../../src/VMTypes.sol";

/// @title Asm
/// @notice Instruction and leaf encoding for test programs (docs/VM.md, "Instructions": byte 0 opcode, byte 1 rd,
///         byte 2 rs1, byte 3 rs2, bytes 4..7 imm big-endian, bytes 8..31 zero), and the programs of the toy models.
library Asm {
    function instr(uint8 op, uint8 rd, uint8 rs1, uint8 rs2, int32 imm) internal pure returns (bytes32) {
        return bytes32(abi.encodePacked(op, rd, rs1, rs2, imm, bytes24(0)));
    }

    /// @dev A leaf of 8 words, word 0 most significant.
    function leaf(int32[8] memory w) internal pure returns (bytes32) {
        return bytes32(abi.encodePacked(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]));
    }

    /// @dev Word i (0..7) of a leaf.
    function leafWord(bytes32 l, uint256 i) internal pure returns (int32) {
        return int32(uint32(uint256(l) >> (32 * (7 - i))));
    }

    /// @dev rd <- M[imm] (rs1 = r0).
    function load(uint8 rd, int32 addr) internal pure returns (bytes32) {
        return instr(OP_LOAD, rd, 0, 0, addr);
    }

    /// @dev M[imm] <- rs2 (rs1 = r0).
    function store(uint8 rs2, int32 addr) internal pure returns (bytes32) {
        return instr(OP_STORE, 0, 0, rs2, addr);
    }

    /// @dev rd <- rs1 + k (rs2 = r0, imm = k).
    function addi(uint8 rd, uint8 rs1, int32 k) internal pure returns (bytes32) {
        return instr(OP_ADD, rd, rs1, 0, k);
    }

    /// @dev rd <- rs1 + rs2.
    function add(uint8 rd, uint8 rs1, uint8 rs2) internal pure returns (bytes32) {
        return instr(OP_ADD, rd, rs1, rs2, 0);
    }

    function halt() internal pure returns (bytes32) {
        return instr(OP_HALT, 0, 0, 0, 0);
    }

    /// @dev out[i] = in[i] + k for the 8 words in at 0..7, out at 8..15, then HALT. k = 0 is a plain copy
    ///      (LOAD, STORE per word: 17 steps); otherwise LOAD, ADD, STORE per word (25 steps).
    function addProgram(int32 k) internal pure returns (bytes32[] memory code) {
        uint256 per = k == 0 ? 2 : 3;
        code = new bytes32[](8 * per + 1);
        uint256 pc = 0;
        for (uint256 i = 0; i < 8; i++) {
            int32 w = int32(int256(i));
            code[pc++] = load(1, w);
            if (k != 0) code[pc++] = addi(1, 1, k);
            code[pc++] = store(1, 8 + w);
        }
        code[pc] = halt();
    }

    /// @dev out[i] = in0[i] + in1[i] + in2[i] + in3[i] for inputs at 0, 8, 16, 24 and the output at 32, then HALT
    ///      (8 instructions per word: 65 steps).
    function sum4Program() internal pure returns (bytes32[] memory code) {
        code = new bytes32[](65);
        uint256 pc = 0;
        for (uint256 i = 0; i < 8; i++) {
            int32 w = int32(int256(i));
            code[pc++] = load(1, w);
            code[pc++] = load(2, 8 + w);
            code[pc++] = add(1, 1, 2);
            code[pc++] = load(2, 16 + w);
            code[pc++] = add(1, 1, 2);
            code[pc++] = load(2, 24 + w);
            code[pc++] = add(1, 1, 2);
            code[pc++] = store(1, 32 + w);
        }
        code[pc] = halt();
    }
}
