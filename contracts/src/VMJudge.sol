// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Numerics} from "./Numerics.sol";
import {Merkle} from "./Merkle.sol";
import {Instruction, InstructionCodec} from "./Instruction.sol";
import {
    VMState,
    StepProof,
    hashState,
    CODE_DEPTH,
    CODE_SIZE,
    MEM_DEPTH,
    MEM_WORDS,
    STATUS_RUNNING,
    STATUS_HALTED,
    STATUS_TRAPPED,
    OP_HALT,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_MULH,
    OP_DIV,
    OP_AND,
    OP_OR,
    OP_XOR,
    OP_SHL,
    OP_SRA,
    OP_SRL,
    OP_MIN,
    OP_MAX,
    OP_SLT,
    OP_RQ,
    OP_ISQRT,
    OP_LOAD,
    OP_STORE,
    OP_MAC,
    OP_BEQ,
    OP_BNE,
    OP_BLT,
    OP_BGE
} from "./VMTypes.sol";
import {PreStateMismatch, NotRunning, BadProofLength, InvalidCodeProof, InvalidMemoryProof} from "./VMErrors.sol";

/// @title VMJudge
/// @notice Re-executes one step of the opml VM from Merkle proofs (docs/VM.md, "One-step proof").
/// @dev Stateless and pure. Order of checks: pre-state hash, RUNNING status, pc range (trap), code proof,
///      instruction validity (trap), then the instruction; a memory instruction checks its address (trap)
///      before its memory proof. Proof fields a step does not need are ignored. A revert means the inputs
///      are not a step; every honest step of a RUNNING state has a successor.
contract VMJudge {
    /// @notice The hash of the state after one step of the agreed pre-state.
    /// @param preStateHash The pre-state hash both parties agreed on.
    /// @param pre The pre-state's fields; they must hash to preStateHash.
    /// @param proof The instruction at pc and, for memory instructions, the accessed memory leaf, with siblings.
    /// @return postStateHash hashState of the post-state.
    function step(bytes32 preStateHash, VMState calldata pre, StepProof calldata proof)
        external
        pure
        returns (bytes32 postStateHash)
    {
        return hashState(stepState(preStateHash, pre, proof));
    }

    /// @notice The state after one step of the agreed pre-state (the fields behind step's hash).
    /// @dev Same checks and reverts as step.
    function stepState(bytes32 preStateHash, VMState calldata pre, StepProof calldata proof)
        public
        pure
        returns (VMState memory post)
    {
        post = pre;
        bytes32 actual = hashState(post);
        // INVARIANT: the judge executes exactly the state both parties agreed on.
        if (actual != preStateHash) revert PreStateMismatch(preStateHash, actual);
        // INVARIANT: only a RUNNING state has a successor.
        if (post.status != STATUS_RUNNING) revert NotRunning(post.status);

        post.step += 1;
        if (post.pc >= CODE_SIZE) {
            post.status = STATUS_TRAPPED; // trap 1: no instruction to fetch, no code proof needed
            return post;
        }
        _checkCodeProof(post.codeRoot, post.pc, proof);

        (bool valid, Instruction memory ins) = InstructionCodec.decode(proof.instruction);
        if (!valid) {
            post.status = STATUS_TRAPPED; // trap 2: the committed leaf is not an instruction
            return post;
        }
        if (ins.op == OP_HALT) {
            post.status = STATUS_HALTED; // pc unchanged
        } else if (ins.op <= OP_ISQRT) {
            _executeAlu(post, ins);
        } else if (ins.op <= OP_MAC) {
            _executeMemory(post, ins, proof);
        } else {
            _executeBranch(post, ins);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Instruction groups. Each mutates `s` (the post-state, step already counted) and advances pc itself.
    // ------------------------------------------------------------------------------------------------------

    /// @dev ADD..ISQRT: R[rd] <- f(a, b) with a = R[rs1], b = add32(R[rs2], imm); RQ takes R[rs2] and imm
    ///      separately, ISQRT only a.
    function _executeAlu(VMState memory s, Instruction memory ins) private pure {
        int32 a = _read(s.regs, ins.rs1);
        int32 result;
        if (ins.op == OP_RQ) {
            result = Numerics.requant(a, _read(s.regs, ins.rs2), ins.imm);
        } else if (ins.op == OP_ISQRT) {
            result = Numerics.isqrt32(a);
        } else {
            result = _binary(ins.op, a, Numerics.add32(_read(s.regs, ins.rs2), ins.imm));
        }
        _write(s.regs, ins.rd, result);
        s.pc += 1;
    }

    /// @dev LOAD, STORE, MAC. The address comes from the registers; out of range (>= 2^22 as uint32, so
    ///      negative sums too) traps with nothing changed and no memory proof needed.
    function _executeMemory(VMState memory s, Instruction memory ins, StepProof calldata proof) private pure {
        if (ins.op == OP_STORE) {
            uint256 ea = _address(_read(s.regs, ins.rs1), ins.imm);
            if (ea >= MEM_WORDS) {
                s.status = STATUS_TRAPPED; // trap 3
                return;
            }
            s.memRoot = _writeMemory(s.memRoot, ea, _read(s.regs, ins.rs2), proof);
        } else {
            // LOAD reads M[R[rs1] + imm]; MAC reads M[R[rs2] + imm].
            uint8 base = ins.op == OP_LOAD ? ins.rs1 : ins.rs2;
            uint256 ea = _address(_read(s.regs, base), ins.imm);
            if (ea >= MEM_WORDS) {
                s.status = STATUS_TRAPPED; // trap 3
                return;
            }
            int32 word = _readMemory(s.memRoot, ea, proof);
            if (ins.op == OP_LOAD) {
                _write(s.regs, ins.rd, word);
            } else {
                int32 product = Numerics.mul32(_read(s.regs, ins.rs1), word);
                _write(s.regs, ins.rd, Numerics.add32(_read(s.regs, ins.rd), product));
            }
        }
        s.pc += 1;
    }

    /// @dev BEQ, BNE, BLT, BGE (signed compare of R[rs1], R[rs2]) and LOOP (v = R[rd] - 1; R[rd] <- v; taken
    ///      when v != 0). Taken: pc <- uint32(imm); else pc + 1.
    function _executeBranch(VMState memory s, Instruction memory ins) private pure {
        int32 x = _read(s.regs, ins.rs1);
        int32 y = _read(s.regs, ins.rs2);
        bool taken;
        if (ins.op == OP_BEQ) {
            taken = x == y;
        } else if (ins.op == OP_BNE) {
            taken = x != y;
        } else if (ins.op == OP_BLT) {
            taken = x < y;
        } else if (ins.op == OP_BGE) {
            taken = x >= y;
        } else {
            // OP_LOOP
            int32 v = Numerics.sub32(_read(s.regs, ins.rd), 1);
            _write(s.regs, ins.rd, v);
            taken = v != 0;
        }
        s.pc = taken ? uint32(ins.imm) : s.pc + 1;
    }

    /// @dev The two-operand ALU functions ADD..SLT.
    function _binary(uint8 op, int32 a, int32 b) private pure returns (int32) {
        if (op == OP_ADD) return Numerics.add32(a, b);
        if (op == OP_SUB) return Numerics.sub32(a, b);
        if (op == OP_MUL) return Numerics.mul32(a, b);
        if (op == OP_MULH) return Numerics.mulhi32(a, b);
        if (op == OP_DIV) return Numerics.div32(a, b);
        if (op == OP_AND) return a & b;
        if (op == OP_OR) return a | b;
        if (op == OP_XOR) return a ^ b;
        if (op == OP_SHL) return Numerics.shl32(a, b);
        if (op == OP_SRA) return Numerics.sra32(a, b);
        if (op == OP_SRL) return Numerics.srl32(a, b);
        if (op == OP_MIN) return a < b ? a : b;
        if (op == OP_MAX) return a > b ? a : b;
        assert(op == OP_SLT); // the caller dispatches only ADD..SLT here
        return a < b ? int32(1) : int32(0);
    }

    // ------------------------------------------------------------------------------------------------------
    // Proofs, registers, addresses.
    // ------------------------------------------------------------------------------------------------------

    /// @dev Reverts unless proof.instruction sits at leaf `pc` under codeRoot.
    function _checkCodeProof(bytes32 codeRoot, uint256 pc, StepProof calldata proof) private pure {
        // INVARIANT: the code tree has fixed depth CODE_DEPTH; a proof of any other length is for another tree.
        if (proof.codeSiblings.length != CODE_DEPTH) {
            revert BadProofLength(CODE_DEPTH, proof.codeSiblings.length);
        }
        // INVARIANT: the executed instruction is the one committed at pc.
        if (!Merkle.verify(codeRoot, proof.instruction, pc, proof.codeSiblings)) revert InvalidCodeProof();
    }

    /// @dev The word at in-range address `ea`, proven under memRoot.
    function _readMemory(bytes32 memRoot, uint256 ea, StepProof calldata proof) private pure returns (int32) {
        _checkMemoryProofLength(proof);
        // INVARIANT: the word read is the one committed at ea (leaf ea >> 3).
        if (!Merkle.verify(memRoot, proof.memLeaf, ea >> 3, proof.memSiblings)) revert InvalidMemoryProof();
        return Merkle.wordAt(proof.memLeaf, ea & 7);
    }

    /// @dev The memory root after M[ea] <- v, with the old leaf proven under memRoot by the same siblings.
    function _writeMemory(bytes32 memRoot, uint256 ea, int32 v, StepProof calldata proof)
        private
        pure
        returns (bytes32 newRoot)
    {
        _checkMemoryProofLength(proof);
        bytes32 newLeaf = Merkle.withWord(proof.memLeaf, ea & 7, v);
        bytes32 oldRoot;
        (oldRoot, newRoot) = Merkle.update(proof.memLeaf, newLeaf, ea >> 3, proof.memSiblings);
        // INVARIANT: the leaf rewritten is the one committed at ea, so the other 7 words and all other leaves
        // carry over unchanged into newRoot.
        if (oldRoot != memRoot) revert InvalidMemoryProof();
    }

    /// @dev Reverts unless the memory sibling list has the memory tree's depth.
    function _checkMemoryProofLength(StepProof calldata proof) private pure {
        // INVARIANT: the memory tree has fixed depth MEM_DEPTH.
        if (proof.memSiblings.length != MEM_DEPTH) revert BadProofLength(MEM_DEPTH, proof.memSiblings.length);
    }

    /// @dev uint32(add32(base, imm)) as a word address (not yet range-checked).
    function _address(int32 base, int32 imm) private pure returns (uint256) {
        return uint256(uint32(Numerics.add32(base, imm)));
    }

    /// @dev R[i]; r0 reads as 0 whatever regs[0] holds.
    function _read(int32[16] memory regs, uint8 i) private pure returns (int32) {
        return i == 0 ? int32(0) : regs[i];
    }

    /// @dev R[i] <- v; a write to r0 is discarded.
    function _write(int32[16] memory regs, uint8 i, int32 v) private pure {
        if (i != 0) regs[i] = v;
    }
}
