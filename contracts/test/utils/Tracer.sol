// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMJudge} from "../../src/VMJudge.sol";
import {Merkle} from "../../src/Merkle.sol";
import {Numerics} from "../../src/Numerics.sol";
import {Instruction, InstructionCodec} from "../../src/Instruction.sol";
import {
    VMState,
    StepProof,
    hashState,
    CODE_DEPTH,
    MEM_DEPTH,
    MEM_WORDS,
    CODE_SIZE,
    STATUS_RUNNING,
    OP_LOAD,
    OP_STORE,
    OP_MAC
} from "../../src/VMTypes.sol";
import {SmallTree} from "./SmallTree.sol";

/// @title Tracer
/// @notice Runs a small program step by step through the real judge and produces every state and step proof, for
///         tests that play the VM phase honestly. Code and memory are short prefixes of their trees (SmallTree);
///         the program must keep its memory accesses inside the memory prefix it is given.
library Tracer {
    /// @dev The initial state: pc 0, step 0, RUNNING, zero registers.
    function initial(bytes32[] memory code, bytes32[] memory mem) internal pure returns (VMState memory s) {
        s.codeRoot = SmallTree.root(code, CODE_DEPTH);
        s.memRoot = SmallTree.root(mem, MEM_DEPTH);
        s.status = STATUS_RUNNING;
    }

    /// @dev The step proof of state `s` over `code` and the current memory `mem`.
    function proofFor(VMState memory s, bytes32[] memory code, bytes32[] memory mem)
        internal
        pure
        returns (StepProof memory)
    {
        return _proofFor(s, code, SmallTree.levels(code), mem);
    }

    /// @dev proofFor with the code tree's levels built once by the caller.
    function _proofFor(VMState memory s, bytes32[] memory code, bytes32[][] memory codeLevels, bytes32[] memory mem)
        private
        pure
        returns (StepProof memory p)
    {
        if (s.pc >= CODE_SIZE) return p;
        p.instruction = s.pc < code.length ? code[s.pc] : bytes32(0);
        p.codeSiblings = SmallTree.proofFromLevels(codeLevels, s.pc, CODE_DEPTH);
        (bool valid, Instruction memory ins) = InstructionCodec.decode(p.instruction);
        if (!valid) return p;
        (bool touches, uint256 ea) = _address(s, ins);
        if (!touches || ea >= MEM_WORDS) return p;
        p.memLeaf = (ea >> 3) < mem.length ? mem[ea >> 3] : bytes32(0);
        p.memSiblings = SmallTree.proof(mem, ea >> 3, MEM_DEPTH);
    }

    /// @dev One step: the post-state from the judge; `mem` is updated in place for a STORE (which must stay inside
    ///      the prefix).
    function step(VMJudge judge, VMState memory s, bytes32[] memory code, bytes32[] memory mem)
        internal
        pure
        returns (VMState memory post, StepProof memory p)
    {
        return _step(judge, s, code, SmallTree.levels(code), mem);
    }

    function _step(
        VMJudge judge,
        VMState memory s,
        bytes32[] memory code,
        bytes32[][] memory codeLevels,
        bytes32[] memory mem
    ) private pure returns (VMState memory post, StepProof memory p) {
        p = _proofFor(s, code, codeLevels, mem);
        post = judge.stepState(hashState(s), s, p);
        (bool valid, Instruction memory ins) = InstructionCodec.decode(p.instruction);
        if (valid && ins.op == OP_STORE && post.status == STATUS_RUNNING) {
            (, uint256 ea) = _address(s, ins);
            require(ea >> 3 < mem.length, "Tracer: STORE outside the memory prefix");
            mem[ea >> 3] = Merkle.withWord(mem[ea >> 3], ea & 7, _reg(s, ins.rs2));
        }
    }

    /// @dev States 0 .. steps of the run (`mem` ends as the final memory). Stops stepping at a non-RUNNING state
    ///      (later entries repeat it).
    function run(VMJudge judge, bytes32[] memory code, bytes32[] memory mem, uint256 steps)
        internal
        pure
        returns (VMState[] memory states)
    {
        bytes32[][] memory codeLevels = SmallTree.levels(code);
        states = new VMState[](steps + 1);
        states[0] = initial(code, mem);
        for (uint256 k = 0; k < steps; k++) {
            if (states[k].status != STATUS_RUNNING) {
                states[k + 1] = states[k];
                continue;
            }
            (states[k + 1],) = _step(judge, states[k], code, codeLevels, mem);
        }
    }

    /// @dev The state hashes 0 .. steps.
    function hashes(VMJudge judge, bytes32[] memory code, bytes32[] memory mem, uint256 steps)
        internal
        pure
        returns (bytes32[] memory h)
    {
        VMState[] memory states = run(judge, code, copy(mem), steps);
        h = new bytes32[](states.length);
        for (uint256 k = 0; k < states.length; k++) {
            h[k] = hashState(states[k]);
        }
    }

    /// @dev The state after k steps and its step proof (replayed on a copy of `mem`).
    function stateAt(VMJudge judge, bytes32[] memory code, bytes32[] memory mem, uint256 k)
        internal
        pure
        returns (VMState memory s, StepProof memory p)
    {
        bytes32[] memory m = copy(mem);
        bytes32[][] memory codeLevels = SmallTree.levels(code);
        s = initial(code, m);
        for (uint256 i = 0; i < k && s.status == STATUS_RUNNING; i++) {
            (s,) = _step(judge, s, code, codeLevels, m);
        }
        p = _proofFor(s, code, codeLevels, m);
    }

    /// @dev The final state after `steps` steps and the final memory.
    function finish(VMJudge judge, bytes32[] memory code, bytes32[] memory mem, uint256 steps)
        internal
        pure
        returns (VMState memory s, bytes32[] memory finalMem)
    {
        finalMem = copy(mem);
        VMState[] memory states = run(judge, code, finalMem, steps);
        s = states[steps];
    }

    function copy(bytes32[] memory a) internal pure returns (bytes32[] memory b) {
        b = new bytes32[](a.length);
        for (uint256 i = 0; i < a.length; i++) {
            b[i] = a[i];
        }
    }

    function _reg(VMState memory s, uint8 i) private pure returns (int32) {
        return i == 0 ? int32(0) : s.regs[i];
    }

    /// @dev Whether the instruction accesses memory, and the word address (uint32(add32(base, imm))).
    function _address(VMState memory s, Instruction memory ins) private pure returns (bool, uint256) {
        uint8 base;
        if (ins.op == OP_LOAD || ins.op == OP_STORE) base = ins.rs1;
        else if (ins.op == OP_MAC) base = ins.rs2;
        else return (false, 0);
        return (true, uint256(uint32(Numerics.add32(_reg(s, base), ins.imm))));
    }
}

/// @title TraceRunner
/// @notice Tracer behind an external interface, for test contracts that must stay small (the invariant handler).
contract TraceRunner {
    VMJudge public immutable judge;

    constructor(VMJudge judge_) {
        judge = judge_;
    }

    /// @dev States 0 .. steps and the final memory.
    function run(bytes32[] memory code, bytes32[] memory mem, uint256 steps)
        external
        view
        returns (VMState[] memory states, bytes32[] memory finalMem)
    {
        finalMem = Tracer.copy(mem);
        states = Tracer.run(judge, code, finalMem, steps);
    }

    /// @dev The state after k steps and its step proof.
    function stateAt(bytes32[] memory code, bytes32[] memory mem, uint256 k)
        external
        view
        returns (VMState memory, StepProof memory)
    {
        return Tracer.stateAt(judge, code, mem, k);
    }
}
