// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, StepProof, hashState, MEM_DEPTH} from "../../src/VMTypes.sol";
import {NodeSpec, Model} from "../../src/ModelTypes.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {Side} from "../../src/Clock.sol";
import {SubmissionStatus, Phase, Reason, Move, Submission, DisputeView, TransitionProof} from "../../src/GameTypes.sol";
import {SmallTree} from "./SmallTree.sol";
import {Tracer, TraceRunner} from "./Tracer.sol";
import {ToyModels} from "./ToyModels.sol";
import {Asm} from "./Asm.sol";

/// @title GameHandler
/// @notice Random actors over the 3-node chain model (node j adds j + 1) for the invariant test:
///         - an honest submitter, who submits true results and plays every move truthfully and on time;
///         - a liar, who submits a result with one node's output off by one (later nodes computed from it), plays
///           its own world consistently, fakes the final VM state of the node it lied about, and now and then
///           posts garbage;
///         - an honest challenger, who challenges only lies and answers truthfully;
///         - two griefers, who challenge anything and answer at random.
///         Time moves only by `warp`, which never lets an honest mover's clock run out (honest parties are online).
///         Ghosts: every wei deposited (bonds) and withdrawn, the moves of each dispute, and every ruling.
/// @dev The VM traces of every (input tensor, node) pair the actors can meet are computed once, in the constructor.
contract GameHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant NODES = 3;
    uint256 internal constant VARIANTS = 3;

    DisputeGame public immutable game;
    VMJudge public immutable judge;
    TraceRunner internal immutable tracer;
    HandlerCalls internal immutable calls_;
    bytes32 public immutable modelId;
    uint64 internal immutable clockSeconds;
    uint64 internal immutable moveIncrement;
    uint256 internal immutable minBond;
    uint256 internal immutable challengeBond;

    address public honestSubmitter = makeAddr("honestSubmitter");
    address public liar = makeAddr("liar");
    address public honestChallenger = makeAddr("honestChallenger");
    address public griefer1 = makeAddr("griefer1");
    address public griefer2 = makeAddr("griefer2");
    address public bystander = makeAddr("bystander");

    /// @dev What the handler knows about each submission and dispute.
    struct SubmissionGhost {
        bool honest;
        uint8 variant;
        uint8 lieNode;
    }

    mapping(uint256 => SubmissionGhost) internal _subs;
    mapping(uint256 => bool) public honestChallenge; // by dispute
    /// @dev The submitter's claimed VM hashes for the dispute's node (set at startVM).
    mapping(uint256 => bytes32[]) internal _claimedVM;
    /// @dev VM hashes by keccak256(input leaf, node): the real run of node j on that input; its final state and
    ///      the output leaf of its final memory.
    mapping(bytes32 => bytes32[]) internal _trace;
    mapping(bytes32 => VMState) internal _final;
    mapping(bytes32 => bytes32) internal _finalOut;

    // Ghosts.
    mapping(uint256 => uint256) public resolvedCount; // DisputeResolved events per dispute
    mapping(uint256 => uint256) public moves; // successful moves per dispute (each earns its mover the increment)
    uint256 public honestLosses; // DisputeResolved(winner Challenger) or SubmissionRejected on an honest submission
    uint256 public honestChallengerLosses; // DisputeResolved(winner Submitter) on an honest challenger's dispute
    uint256 public lateRulings; // Step rulings after createdAt + both clocks + moves * increment
    uint256 public deposited; // every bond sent to the game
    uint256 public withdrawn; // every Withdrawn amount
    uint256 public calls;
    /// @dev Coverage counters: how far the random play got.
    uint256 public vmStarts;
    uint256 public stepRulings;
    uint256 public timeouts;
    uint256 public settlements;
    uint256 public challengerWins;
    uint256 public finalizations;
    uint256 public withdrawals;

    constructor(DisputeGame game_, VMJudge judge_) {
        game = game_;
        judge = judge_;
        tracer = new TraceRunner(judge_);
        calls_ = new HandlerCalls(judge_);
        clockSeconds = game_.clockSeconds();
        moveIncrement = game_.moveIncrement();
        minBond = game_.minBond();
        challengeBond = game_.challengeBond();
        NodeSpec[] memory specs = ToyModels.chainSpecs(NODES, false);
        Model memory m = ToyModels.modelOf(specs, 1);
        modelId = game_.register(specs, m.inputWords, m.outputSlot, m.outputWords);
        for (uint256 v = 0; v < VARIANTS; v++) {
            int32[8][] memory t = ToyModels.chainTensors(input(v), NODES, false, false, 0);
            for (uint256 j = 0; j < NODES; j++) {
                _cacheTrace(t[j], j);
                int32[8] memory shifted = t[j];
                shifted[0] = shifted[0] + 1;
                _cacheTrace(shifted, j);
            }
        }
        address[6] memory all = actors();
        for (uint256 i = 0; i < all.length; i++) {
            vm.deal(all[i], 1_000_000 ether);
        }
    }

    // ======================================================================================================
    // Views for the invariants
    // ======================================================================================================

    function actors() public view returns (address[6] memory) {
        return [honestSubmitter, liar, honestChallenger, griefer1, griefer2, bystander];
    }

    function isHonest(uint256 id) external view returns (bool) {
        return _subs[id].honest;
    }

    // ======================================================================================================
    // Actions (the fuzzer's targets)
    // ======================================================================================================

    function submit(uint256 seed) external {
        calls++;
        uint256 id = game.submissionCount();
        SubmissionGhost memory g = SubmissionGhost({
            honest: seed % 2 == 0, variant: uint8((seed >> 8) % VARIANTS), lieNode: uint8((seed >> 16) % NODES)
        });
        _subs[id] = g;
        bytes32[] memory world = _world(id);
        int32[8][] memory tensors = _tensors(id);
        address who = g.honest ? honestSubmitter : liar;
        uint256[] memory ups = new uint256[](1);
        vm.prank(who);
        ups[0] = game.beginInput(ToyModels.pack(tensors[0]));
        uint256 bond = bound(seed >> 24, minBond, 3 * minBond);
        vm.prank(who);
        game.submit{value: bond}(
            modelId,
            ups,
            ToyModels.pack(tensors[NODES]),
            ToyModels.graphState(world, NODES + 1),
            ToyModels.slotProof(world, NODES + 1, NODES)
        );
        deposited += bond;
    }

    function challenge(uint256 seed) external {
        calls++;
        uint256 n = game.submissionCount();
        if (n == 0) return;
        uint256 id = seed % n;
        Submission memory s = game.submission(id);
        if (s.status != SubmissionStatus.Pending || block.timestamp > s.submittedAt + game.challengeWindow()) return;
        // The honest challenger disputes only lies; a griefer disputes anything.
        bool honest = !_subs[id].honest && (seed >> 8) % 2 == 0;
        address who = honest ? honestChallenger : ((seed >> 16) % 2 == 0 ? griefer1 : griefer2);
        uint256 d = game.disputeCount();
        honestChallenge[d] = honest;
        vm.prank(who);
        game.challenge{value: challengeBond}(id);
        deposited += challengeBond;
    }

    /// @dev Up to three moves in one dispute, each by whoever is to move, by its strategy.
    function move(uint256 seed) external {
        calls++;
        uint256 n = game.disputeCount();
        if (n == 0) return;
        uint256 d = seed % n;
        for (uint256 i = 0; i < 3; i++) {
            if (!_play(d, uint256(keccak256(abi.encode(seed, i))), false)) return;
        }
    }

    /// @dev Time passes, never past an honest mover's deadline.
    function warp(uint256 seed) external {
        calls++;
        uint256 cap = 2 * uint256(clockSeconds);
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            DisputeView memory v = game.dispute(d);
            if (v.next == Move.None || v.next == Move.Settle || !_honestToMove(d, v)) continue;
            uint256 left = v.deadline - block.timestamp; // an honest mover's deadline is never reached
            if (left - 1 < cap) cap = left - 1;
        }
        vm.warp(block.timestamp + bound(seed, 0, cap));
    }

    function timeout(uint256 seed) external {
        calls++;
        uint256 n = game.disputeCount();
        if (n == 0) return;
        _try(bystander, abi.encodeCall(DisputeGame.timeout, (seed % n)));
    }

    function settle(uint256 seed) external {
        calls++;
        uint256 n = game.disputeCount();
        if (n == 0) return;
        _try(bystander, abi.encodeCall(DisputeGame.settle, (seed % n)));
    }

    function finalize(uint256 seed) external {
        calls++;
        uint256 n = game.submissionCount();
        if (n == 0) return;
        _try(bystander, abi.encodeCall(DisputeGame.finalize, (seed % n)));
    }

    function withdraw(uint256 seed) external {
        calls++;
        address who = actors()[seed % 6];
        if (game.credits(who) == 0) return;
        _try(who, abi.encodeCall(DisputeGame.withdraw, ()));
    }

    /// @dev Anyone tries to resolve any dispute from the true state at lo, also resolved ones (which must fail).
    function resolveAny(uint256 seed) external {
        calls++;
        uint256 n = game.disputeCount();
        if (n == 0) return;
        _resolve(seed % n, actors()[(seed >> 8) % 6]);
    }

    // ======================================================================================================
    // Drain: everyone plays to the end, then everything is paid out
    // ======================================================================================================

    /// @dev Honest parties (and griefers, who now always resolve) move until only silent parties are left to
    ///      move; then their clocks run out, rejected submissions' disputes are settled, the rest finalized, and
    ///      every actor withdraws.
    function drain() external {
        uint256 n = game.disputeCount();
        for (uint256 d = 0; d < n; d++) {
            for (uint256 i = 0; i < 80; i++) {
                if (!_play(d, uint256(keccak256(abi.encode("drain", d, i))), true)) break;
            }
        }
        // No clock ever holds more than clockSeconds: after that long every silent mover's clock is spent.
        vm.warp(block.timestamp + uint256(clockSeconds) + 1);
        for (uint256 d = 0; d < n; d++) {
            _try(bystander, abi.encodeCall(DisputeGame.timeout, (d)));
        }
        // Shares exist once every dispute on a rejected submission is ruled: settle after all the timeouts.
        for (uint256 d = 0; d < n; d++) {
            _try(bystander, abi.encodeCall(DisputeGame.settle, (d)));
        }
        vm.warp(block.timestamp + game.challengeWindow() + 1);
        uint256 m = game.submissionCount();
        for (uint256 id = 0; id < m; id++) {
            _try(bystander, abi.encodeCall(DisputeGame.finalize, (id)));
        }
        address[6] memory all = actors();
        for (uint256 i = 0; i < all.length; i++) {
            if (game.credits(all[i]) != 0) _try(all[i], abi.encodeCall(DisputeGame.withdraw, ()));
        }
    }

    // ======================================================================================================
    // Strategies
    // ======================================================================================================

    /// @dev One move in dispute d by whoever is to move. Returns whether a move was made.
    function _play(uint256 d, uint256 r, bool draining) internal returns (bool) {
        DisputeView memory v = game.dispute(d);
        if (v.next == Move.None) return false;
        if (v.next == Move.Settle) return _try(bystander, abi.encodeCall(DisputeGame.settle, (d)));
        uint256 id = v.submissionId;
        bool liarSubmits = !_subs[id].honest;
        if (v.next == Move.PostGraphState) {
            bytes32 state = ToyModels.graphState(_world(id), 1 + v.mid);
            if (liarSubmits && r % 8 == 0) state = keccak256(abi.encode("garbage", r));
            return _try(v.submitter, abi.encodeCall(DisputeGame.postGraphState, (d, state)));
        }
        if (v.next == Move.RespondGraph) {
            bool agree = honestChallenge[d] ? v.midHash == ToyModels.graphState(_truth(id), 1 + v.mid) : r % 2 == 0;
            return _try(v.challenger, abi.encodeCall(DisputeGame.respondGraph, (d, agree)));
        }
        if (v.next == Move.StartVM) return _startVM(d, v);
        if (v.next == Move.PostVMState) {
            bytes32 state = _claimedVM[d][v.mid];
            if (liarSubmits && r % 8 == 0) state = keccak256(abi.encode("garbage", r));
            return _try(v.submitter, abi.encodeCall(DisputeGame.postVMState, (d, state)));
        }
        if (v.next == Move.RespondVM) {
            bool agree = honestChallenge[d] ? v.midHash == _trueVM(id, v.node)[v.mid] : r % 2 == 0;
            return _try(v.challenger, abi.encodeCall(DisputeGame.respondVM, (d, agree)));
        }
        // ResolveStep: the challenger's move. The honest one always makes it; a griefer sometimes (always when
        // draining); an honest submitter may end it itself.
        if (honestChallenge[d] || draining || r % 2 == 0) return _resolve(d, v.challenger);
        if (!liarSubmits && r % 4 == 1) return _resolve(d, v.submitter);
        return false;
    }

    /// @dev The submitter proves node j = lo from its own world; for the node it lied about, it fakes the final
    ///      state's memory to hold its claimed output.
    function _startVM(uint256 d, DisputeView memory v) internal returns (bool) {
        uint256 id = v.submissionId;
        uint256 j = v.lo;
        bytes32[] memory world = _world(id);
        NodeSpec[] memory specs = ToyModels.chainSpecs(NODES, false);
        bytes32[] memory mem = ToyModels.nodeMemory(specs[j], world);
        (VMState memory fin, bytes32[] memory finalMem) = _finalState(mem, j);
        bytes32[] memory claimed = _copy(_trace[keccak256(abi.encode(world[j], j))]);
        if (finalMem[1] != world[j + 1]) {
            finalMem[1] = world[j + 1];
            fin.memRoot = SmallTree.root(finalMem, MEM_DEPTH);
            claimed[claimed.length - 1] = hashState(fin);
        }
        _claimedVM[d] = claimed;
        return _try(v.submitter, calls_.startVM(d, j, world, fin, finalMem));
    }

    /// @dev The final state and memory of node j's run from `mem` (cached).
    function _finalState(bytes32[] memory mem, uint256 j)
        internal
        view
        returns (VMState memory fin, bytes32[] memory finalMem)
    {
        bytes32 key = keccak256(abi.encode(mem[0], j));
        fin = _final[key];
        finalMem = Tracer.copy(mem);
        finalMem[1] = _finalOut[key];
    }

    /// @dev resolveStep by `who` from the state at lo of the dispute node's run on the agreed input (the one
    ///      S_lo holds: the submitter's world, which an honest challenger agreed to only where it is true).
    function _resolve(uint256 d, address who) internal returns (bool) {
        DisputeView memory v = game.dispute(d);
        if (v.phase != Phase.VM && v.phase != Phase.Resolved) return false;
        return _try(who, calls_.resolveStep(d, v.node, _world(v.submissionId), v.lo));
    }

    function _honestToMove(uint256 d, DisputeView memory v) internal view returns (bool) {
        if (v.turn == Side.Submitter) return _subs[v.submissionId].honest;
        return honestChallenge[d];
    }

    // ======================================================================================================
    // Calls and ghosts
    // ======================================================================================================

    /// @dev The latest a dispute with `m` moves can end: its start, both clocks, and an increment per move.
    function endBound(uint256 createdAt, uint256 m) public view returns (uint256) {
        return createdAt + 2 * uint256(clockSeconds) + m * uint256(moveIncrement);
    }

    /// @dev Calls the game as `who`, counting rulings, moves, settlements and withdrawals from its events. Returns
    ///      success.
    function _try(address who, bytes memory data) internal returns (bool ok) {
        vm.recordLogs();
        vm.prank(who);
        (ok,) = address(game).call(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].emitter != address(game)) continue;
            bytes32 topic = logs[i].topics[0];
            if (topic == DisputeGame.DisputeResolved.selector) {
                _ruled(uint256(logs[i].topics[1]), logs[i].data);
            } else if (
                topic == DisputeGame.GraphStatePosted.selector || topic == DisputeGame.GraphResponded.selector
                    || topic == DisputeGame.VMStatePosted.selector || topic == DisputeGame.VMResponded.selector
            ) {
                moves[uint256(logs[i].topics[1])] += 1;
            } else if (topic == DisputeGame.VMStarted.selector) {
                moves[uint256(logs[i].topics[1])] += 1;
                vmStarts += 1;
            } else if (topic == DisputeGame.SubmissionFinalized.selector) {
                finalizations += 1;
            } else if (topic == DisputeGame.Settled.selector) {
                settlements += 1;
            } else if (topic == DisputeGame.Withdrawn.selector) {
                withdrawals += 1;
                withdrawn += abi.decode(logs[i].data, (uint256));
            } else if (topic == DisputeGame.SubmissionRejected.selector) {
                if (_subs[uint256(logs[i].topics[1])].honest) honestLosses += 1;
            }
        }
    }

    function _ruled(uint256 d, bytes memory data) internal {
        (Side winner, Reason reason) = abi.decode(data, (Side, Reason));
        resolvedCount[d] += 1;
        if (reason == Reason.Step) stepRulings += 1;
        if (reason == Reason.Timeout) timeouts += 1;
        if (winner == Side.Challenger) challengerWins += 1;
        DisputeView memory v = game.dispute(d);
        if (winner == Side.Challenger && _subs[v.submissionId].honest) honestLosses += 1;
        if (winner == Side.Submitter && honestChallenge[d]) honestChallengerLosses += 1;
        if (reason == Reason.Step && block.timestamp > endBound(v.createdAt, moves[d])) lateRulings += 1;
    }

    // ======================================================================================================
    // Worlds and traces
    // ======================================================================================================

    function input(uint256 v) internal pure returns (int32[8] memory x) {
        for (uint256 i = 0; i < 8; i++) {
            x[i] = int32(int256(v * 100 + i)) - 50;
        }
    }

    function _tensors(uint256 id) internal view returns (int32[8][] memory) {
        SubmissionGhost memory g = _subs[id];
        return ToyModels.chainTensors(input(g.variant), NODES, false, !g.honest, g.lieNode);
    }

    /// @dev The submitter's world (true for an honest one).
    function _world(uint256 id) internal view returns (bytes32[] memory) {
        return ToyModels.rootsOf(_tensors(id));
    }

    function _truth(uint256 id) internal view returns (bytes32[] memory) {
        return ToyModels.chainWorld(input(_subs[id].variant), NODES, false, false, 0);
    }

    /// @dev The true VM hashes of node j: its run on the true input (the only S_lo an honest challenger agrees to).
    function _trueVM(uint256 id, uint256 j) internal view returns (bytes32[] memory) {
        return _trace[keccak256(abi.encode(_truth(id)[j], j))];
    }

    function _cacheTrace(int32[8] memory inputTensor, uint256 j) internal {
        bytes32[] memory world = new bytes32[](NODES + 1);
        world[j] = Asm.leaf(inputTensor);
        bytes32[] memory mem = ToyModels.nodeMemory(ToyModels.chainSpec(j, false), world);
        (VMState[] memory states, bytes32[] memory finalMem) =
            tracer.run(ToyModels.chainCode(j, false), mem, ToyModels.ADD_STEPS);
        bytes32 key = keccak256(abi.encode(world[j], j));
        bytes32[] storage h = _trace[key];
        for (uint256 k = 0; k < states.length; k++) {
            h.push(hashState(states[k]));
        }
        _final[key] = states[ToyModels.ADD_STEPS];
        _finalOut[key] = finalMem[1];
    }

    function _copy(bytes32[] memory a) internal pure returns (bytes32[] memory) {
        return Tracer.copy(a);
    }
}

/// @title HandlerCalls
/// @notice The calldata of GameHandler's two heavy moves (startVM's witness, resolveStep's step proof), built here so
///         that the handler itself stays under the contract size limit.
contract HandlerCalls {
    VMJudge public immutable judge;

    constructor(VMJudge judge_) {
        judge = judge_;
    }

    /// @dev startVM(d, witness) for chain node j of `world` with the final state `fin` and memory `finalMem`.
    function startVM(uint256 d, uint256 j, bytes32[] memory world, VMState memory fin, bytes32[] memory finalMem)
        external
        pure
        returns (bytes memory)
    {
        TransitionProof memory tp =
            ToyModels.transition(ToyModels.chainSpecs(world.length - 1, false), j, world, 1, fin, finalMem);
        return abi.encodeCall(DisputeGame.startVM, (d, tp));
    }

    /// @dev resolveStep(d, pre, proof) from the state at step lo of chain node `node`'s run on `world`.
    function resolveStep(uint256 d, uint256 node, bytes32[] memory world, uint64 lo)
        external
        view
        returns (bytes memory)
    {
        bytes32[] memory mem = ToyModels.nodeMemory(ToyModels.chainSpec(node, false), world);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, ToyModels.chainCode(node, false), mem, lo);
        return abi.encodeCall(DisputeGame.resolveStep, (d, pre, proof));
    }
}
