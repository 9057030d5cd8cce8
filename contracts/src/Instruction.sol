// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {NUM_REGS, OP_MAX_VALID} from "./VMTypes.sol";

/// @notice A decoded instruction leaf (docs/VM.md, "Instructions").
/// @param op Opcode, byte 0.
/// @param rd Destination register, byte 1.
/// @param rs1 First source register, byte 2.
/// @param rs2 Second source register, byte 3.
/// @param imm Immediate, bytes 4..7 as a big-endian int32.
struct Instruction {
    uint8 op;
    uint8 rd;
    uint8 rs1;
    uint8 rs2;
    int32 imm;
}

/// @title InstructionCodec
/// @notice Decodes and validates one code leaf.
library InstructionCodec {
    /// @dev Mask of bytes 8..31 of a leaf (the low 192 bits), which must be zero.
    uint256 private constant TAIL_MASK = (1 << 192) - 1;

    /// @notice Splits a leaf into its fields and says whether it is a valid instruction.
    /// @dev Valid means: opcode <= 24, each of the three register bytes < 16 (checked whether or not the
    ///      opcode uses that register), and bytes 8..31 all zero. The all-zero leaf is a valid HALT. The fields
    ///      are returned even when the leaf is invalid; the caller must then trap and not use them.
    function decode(bytes32 leaf) internal pure returns (bool valid, Instruction memory ins) {
        uint256 word = uint256(leaf);
        // Truncation intended: each field is a fixed byte range of the leaf.
        // forge-lint: disable-next-line(unsafe-typecast)
        ins.op = uint8(word >> 248);
        // forge-lint: disable-next-line(unsafe-typecast)
        ins.rd = uint8(word >> 240);
        // forge-lint: disable-next-line(unsafe-typecast)
        ins.rs1 = uint8(word >> 232);
        // forge-lint: disable-next-line(unsafe-typecast)
        ins.rs2 = uint8(word >> 224);
        // forge-lint: disable-next-line(unsafe-typecast)
        ins.imm = int32(uint32(word >> 192));
        valid = ins.op <= OP_MAX_VALID && ins.rd < NUM_REGS && ins.rs1 < NUM_REGS && ins.rs2 < NUM_REGS
            && word & TAIL_MASK == 0;
    }
}
