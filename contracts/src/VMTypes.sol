// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The VM's constants, state, proof and state hash (docs/VM.md, "Constants", "State", "One-step proof").

/// @dev Memory is 2^22 int32 words (16 MiB); addresses are word indices.
uint256 constant MEM_LOG2_WORDS = 22;
/// @dev Memory tree depth: 2^19 leaves of 8 words.
uint256 constant MEM_DEPTH = 19;
/// @dev Code tree depth: 2^16 instructions, one per leaf.
uint256 constant CODE_DEPTH = 16;
/// @dev Registers r0..r15; r0 reads as 0 and writes to it are discarded.
uint256 constant NUM_REGS = 16;

/// @dev Number of memory words (addresses are < MEM_WORDS).
uint256 constant MEM_WORDS = 2 ** MEM_LOG2_WORDS;
/// @dev Number of code leaves (a pc is fetchable when < CODE_SIZE).
uint256 constant CODE_SIZE = 2 ** CODE_DEPTH;

// Status codes.
uint8 constant STATUS_RUNNING = 0;
uint8 constant STATUS_HALTED = 1;
uint8 constant STATUS_TRAPPED = 2;

// Opcodes (byte 0 of an instruction leaf).
uint8 constant OP_HALT = 0;
uint8 constant OP_ADD = 1;
uint8 constant OP_SUB = 2;
uint8 constant OP_MUL = 3;
uint8 constant OP_MULH = 4;
uint8 constant OP_DIV = 5;
uint8 constant OP_AND = 6;
uint8 constant OP_OR = 7;
uint8 constant OP_XOR = 8;
uint8 constant OP_SHL = 9;
uint8 constant OP_SRA = 10;
uint8 constant OP_SRL = 11;
uint8 constant OP_MIN = 12;
uint8 constant OP_MAX = 13;
uint8 constant OP_SLT = 14;
uint8 constant OP_RQ = 15;
uint8 constant OP_ISQRT = 16;
uint8 constant OP_LOAD = 17;
uint8 constant OP_STORE = 18;
uint8 constant OP_MAC = 19;
uint8 constant OP_BEQ = 20;
uint8 constant OP_BNE = 21;
uint8 constant OP_BLT = 22;
uint8 constant OP_BGE = 23;
uint8 constant OP_LOOP = 24;
/// @dev The highest valid opcode; a leaf with a larger one traps.
uint8 constant OP_MAX_VALID = OP_LOOP;

/// @notice A VM state; its hash is hashState(state).
/// @param codeRoot Root of the code tree (immutable during a run).
/// @param memRoot Root of the memory tree.
/// @param pc Index of the next instruction.
/// @param step Number of steps executed so far.
/// @param status STATUS_RUNNING, STATUS_HALTED or STATUS_TRAPPED.
/// @param regs Registers; regs[0] is 0 in every reachable state.
struct VMState {
    bytes32 codeRoot;
    bytes32 memRoot;
    uint32 pc;
    uint64 step;
    uint8 status;
    int32[16] regs;
}

/// @notice The witnesses for one step.
/// @param instruction The code leaf at pc (ignored when pc >= 2^CODE_DEPTH).
/// @param codeSiblings CODE_DEPTH siblings proving it under codeRoot.
/// @param memLeaf The memory leaf holding the accessed word (LOAD, STORE, MAC with an in-range address).
/// @param memSiblings MEM_DEPTH siblings proving it under memRoot (empty for other instructions).
struct StepProof {
    bytes32 instruction;
    bytes32[] codeSiblings;
    bytes32 memLeaf;
    bytes32[] memSiblings;
}

/// @notice keccak256(abi.encode(codeRoot, memRoot, pc, step, status, regs)): 21 ABI words (672 bytes), ints
///         sign-extended as the ABI does.
/// @dev Equal to keccak256(abi.encode(s)) since VMState is a static struct encoded in place.
function hashState(VMState memory s) pure returns (bytes32) {
    return keccak256(abi.encode(s.codeRoot, s.memRoot, s.pc, s.step, s.status, s.regs));
}
