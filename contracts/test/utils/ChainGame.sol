// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, StepProof, hashState, MEM_DEPTH} from "../../src/VMTypes.sol";
import {Side} from "../../src/Clock.sol";
import {Phase, Reason, Move, DisputeView, TransitionProof} from "../../src/GameTypes.sol";
import {GameFixture} from "./GameFixture.sol";
import {SmallTree} from "./SmallTree.sol";
import {Tracer} from "./Tracer.sol";
import {ToyModels} from "./ToyModels.sol";
import {Cuts} from "./Cuts.sol";

/// @title ChainGame
/// @notice Whole disputes over the 3-node chain model (node j adds j + 1), played automatically by two strategies
///         with a timing policy each: who is honest, how late each side moves (at once, at random, or at the last
///         second of its clock), and when a side goes silent. Used by the clock and economics attack tests.
/// @dev Strategies. The submitter posts the graph states of its world (the truth, or a lie at one node with every
///      later node computed from it), proves the transition of the node in dispute (faking the final memory to
///      hold its claimed output when it lied there), and posts the node's true VM hashes except a faked final one.
///      An honest challenger names the first part whose end state is untrue (the last part when all are true); a
///      lying challenger names part 0, disputing everything. The step is resolved (anyone may) by whichever side
///      is honest, from the true state at lo.
abstract contract ChainGame is GameFixture {
    uint256 internal constant NODES = 3;

    bytes32 internal chainId;

    enum Timing {
        AtOnce,
        Random,
        LastSecond
    }

    /// @dev One side's behaviour: honest or not, its timing, and after how many of its own moves it goes silent
    ///      (type(uint256).max: never).
    struct Actor {
        bool honest;
        Timing timing;
        uint256 silentAfter;
    }

    /// @dev A dispute being played: the submitter's world and the truth, the VM traces of the node in dispute, the
    ///      moves made, and the ruling.
    struct Play {
        uint256 d;
        uint256 seed;
        Actor sub;
        Actor chal;
        bytes32[] claimed;
        bytes32[] truth;
        bytes32[] code;
        bytes32[] mem;
        bytes32[] claimedVM;
        bytes32[] trueVM;
        uint256 moves;
        uint256 subMoves;
        uint256 chalMoves;
        uint256 createdAt;
        uint256 endedAt;
        Side winner;
        Reason reason;
    }

    function setUp() public virtual override {
        super.setUp();
        chainId = registerChain(NODES, false).id;
    }

    function chainToy() internal view returns (Toy memory t) {
        t.specs = ToyModels.chainSpecs(NODES, false);
        t.model = ToyModels.modelOf(t.specs, 1);
        t.id = chainId;
    }

    function actor(bool honest, Timing timing) internal pure returns (Actor memory) {
        return Actor({honest: honest, timing: timing, silentAfter: type(uint256).max});
    }

    /// @dev Submits the chain's result on input8(seed) as `who`: true, or with node `lieNode` off by one.
    function submitChain(int32 seed, bool lie, uint256 lieNode, address who, uint256 bond)
        internal
        returns (uint256 id, bytes32[] memory claimed, bytes32[] memory truth)
    {
        int32[8][] memory tensors = ToyModels.chainTensors(input8(seed), NODES, false, lie, lieNode);
        claimed = ToyModels.rootsOf(tensors);
        truth = ToyModels.chainWorld(input8(seed), NODES, false, false, 0);
        id = submitWorld(chainToy(), tensors, claimed, tensors[NODES], who, bond);
    }

    /// @dev A fresh Play for dispute d.
    function newPlay(uint256 d, bytes32[] memory claimed, bytes32[] memory truth, Actor memory sub, Actor memory chal)
        internal
        view
        returns (Play memory p)
    {
        p.d = d;
        p.seed = d;
        p.sub = sub;
        p.chal = chal;
        p.claimed = claimed;
        p.truth = truth;
        p.createdAt = game.dispute(d).createdAt;
    }

    /// @dev The latest a dispute of `moves` moves can end (ChessClockLib).
    function endBound(uint256 createdAt, uint256 moves) internal pure returns (uint256) {
        return createdAt + 2 * uint256(CLOCK) + moves * uint256(INCREMENT);
    }

    /// @dev Plays dispute p.d to its end; every iteration checks that the mover's deadline is within
    ///      endBound(createdAt, moves). Returns with p.winner, p.reason, p.endedAt set.
    function playOut(Play memory p) internal {
        for (uint256 guard = 0; guard < 200; guard++) {
            DisputeView memory v = game.dispute(p.d);
            if (v.phase == Phase.Resolved) break;
            assertLe(v.deadline, endBound(p.createdAt, p.moves), "the mover's deadline is within the bound");
            if (block.timestamp >= v.deadline) {
                // The mover's clock ran out while another dispute was being played: anyone ends this one.
                vm.prank(other);
                game.timeout(p.d);
                continue;
            }
            bool subTurn = v.turn == Side.Submitter;
            Actor memory mover = subTurn ? p.sub : p.chal;
            uint256 own = subTurn ? p.subMoves : p.chalMoves;
            if (v.next == Move.ResolveStep && !p.chal.honest) {
                // A lying challenger never resolves a step it would lose: the honest submitter does (anyone may),
                // at its own pace but before the deadline.
                require(p.sub.honest, "ChainGame: both sides lying");
                mover = p.sub;
                own = p.subMoves;
            }
            if (own >= mover.silentAfter) {
                // The mover stops answering: once its clock is spent anyone ends the dispute.
                vm.warp(v.deadline - 1);
                vm.expectRevert();
                game.timeout(p.d);
                vm.warp(v.deadline);
                vm.prank(other);
                game.timeout(p.d);
                continue;
            }
            _wait(p, v, mover.timing, guard);
            _move(p, v);
        }
        DisputeView memory end = game.dispute(p.d);
        assertEq(uint8(end.phase), uint8(Phase.Resolved), "the dispute ended");
        p.winner = end.winner;
        p.reason = end.reason;
        p.endedAt = block.timestamp;
    }

    function _wait(Play memory p, DisputeView memory v, Timing timing, uint256 i) internal {
        uint256 left = v.deadline - block.timestamp; // >= 1: the mover's clock is not spent
        uint256 delay;
        if (timing == Timing.LastSecond) delay = left - 1;
        else if (timing == Timing.Random) delay = uint256(keccak256(abi.encode(p.seed, i))) % left;
        vm.warp(block.timestamp + delay);
    }

    /// @dev The move v.next, by its side's strategy.
    function _move(Play memory p, DisputeView memory v) internal {
        if (v.next == Move.PostGraphState) {
            postCut(Phase.Graph, v.submitter, p.d, Cuts.pick(graphStates(p.claimed, 1), v.lo, v.hi, v.parts));
            p.subMoves++;
        } else if (v.next == Move.RespondGraph) {
            answerCut(Phase.Graph, v.challenger, p.d, _answer(p, v, graphStates(p.truth, 1)));
            p.chalMoves++;
        } else if (v.next == Move.StartVM) {
            _startVM(p, v);
            p.subMoves++;
        } else if (v.next == Move.PostVMState) {
            postCut(Phase.VM, v.submitter, p.d, Cuts.pick(p.claimedVM, v.lo, v.hi, v.parts));
            p.subMoves++;
        } else if (v.next == Move.RespondVM) {
            answerCut(Phase.VM, v.challenger, p.d, _answer(p, v, p.trueVM));
            p.chalMoves++;
        } else {
            require(v.next == Move.ResolveStep, "ChainGame: unexpected move");
            (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, p.code, p.mem, v.lo);
            vm.prank(p.chal.honest ? v.challenger : v.submitter);
            game.resolveStep(p.d, pre, proof);
            return; // a ruling, not a move: it earns no increment
        }
        p.moves++;
    }

    /// @dev The challenger's part on the states posted in p.d (which the view's postedHash is the hash of): the
    ///      first whose end is not `truth`'s (by position) when honest, part 0 when lying.
    function _answer(Play memory p, DisputeView memory v, bytes32[] memory truth) internal view returns (uint256) {
        bytes32[] memory states = posted[p.d];
        assertEq(v.postedHash, Cuts.hashOf(states), "the view shows the posted states' hash while they await");
        if (!p.chal.honest) return 0;
        return Cuts.firstWrong(states, Cuts.pick(truth, v.lo, v.hi, v.parts));
    }

    /// @dev The submitter's transition for node j = lo from its world (faked final memory where it lied), and the
    ///      VM traces: the true one of that node on the agreed input, and the submitter's claim.
    function _startVM(Play memory p, DisputeView memory v) internal {
        uint256 j = v.lo;
        Toy memory t = chainToy();
        p.code = ToyModels.chainCode(j, false);
        p.mem = ToyModels.nodeMemory(t.specs[j], p.claimed);
        (VMState memory fin, bytes32[] memory finalMem) = Tracer.finish(judge, p.code, p.mem, ToyModels.ADD_STEPS);
        p.trueVM = Tracer.hashes(judge, p.code, p.mem, ToyModels.ADD_STEPS);
        p.claimedVM = Tracer.copy(p.trueVM);
        if (finalMem[1] != p.claimed[j + 1]) {
            finalMem[1] = p.claimed[j + 1];
            fin.memRoot = SmallTree.root(finalMem, MEM_DEPTH);
            p.claimedVM[ToyModels.ADD_STEPS] = hashState(fin);
        }
        TransitionProof memory tp = ToyModels.transition(t.specs, j, p.claimed, 1, fin, finalMem);
        vm.prank(v.submitter);
        game.startVM(p.d, tp);
    }
}
