// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {VMJudge} from "../../src/VMJudge.sol";
import {VMState, StepProof, hashState, MEM_DEPTH} from "../../src/VMTypes.sol";
import {NodeSpec, Model} from "../../src/ModelTypes.sol";
import {Numerics} from "../../src/Numerics.sol";
import {DisputeGame} from "../../src/DisputeGame.sol";
import {Side} from "../../src/Clock.sol";
import {
    SubmissionStatus,
    Phase,
    Reason,
    Move,
    Submission,
    DisputeView,
    TransitionProof,
    TileEntryProof,
    TileVMProof
} from "../../src/GameTypes.sol";
import {SmallTree} from "./SmallTree.sol";
import {Tracer, TraceRunner} from "./Tracer.sol";
import {ToyModels} from "./ToyModels.sol";
import {Asm} from "./Asm.sol";
import {TiledToys} from "./TiledToys.sol";
import {Cuts} from "./Cuts.sol";

/// @title HandlerModel
/// @notice The invariant handler's model: one 8-word input and three nodes. Node 0 is the chain's node 0 (reads slot
///         0, adds 1); node 1 is tiled (TiledToys: 3 tiles, reads slot 1, adds W_0 + W_1 + W_2); node 2 is the
///         chain's node 2 (reads slot 2, adds 3). A dispute can so end at either level: in an untiled node's VM run
///         or in one tile's.
library HandlerModel {
    uint256 internal constant NODES = 3;
    uint256 internal constant TILED_NODE = 1;
    uint256 internal constant TILES = 3;
    /// @dev No lie inside the tiled node.
    uint8 internal constant NO_LIE = 255;

    function specs() internal pure returns (NodeSpec[] memory s) {
        s = ToyModels.chainSpecs(NODES, false);
        s[TILED_NODE] = TiledToys.spec(TILES, uint32(TILED_NODE));
    }

    /// @dev The slot tensors for input x: honest, or with node `lieNode`'s output off by one in word 0 (and every
    ///      later node computed from it) when `lie`.
    function tensors(int32[8] memory x, bool lie, uint256 lieNode) internal pure returns (int32[8][] memory t) {
        t = new int32[8][](NODES + 1);
        t[0] = x;
        for (uint256 j = 0; j < NODES; j++) {
            t[j + 1] = j == TILED_NODE ? TiledToys.output(t[j], TILES) : ToyModels.add8(t[j], int32(int256(j + 1)));
            if (lie && j == lieNode) t[j + 1][0] = Numerics.add32(t[j + 1][0], 1);
        }
    }
}

/// @title GameHandler
/// @notice Random actors over the 3-node model of HandlerModel (node 1 tiled) for the invariant test:
///         - an honest submitter, who submits true results and plays every move truthfully and on time;
///         - a liar, who submits a result with one node's output off by one (later nodes computed from it), plays
///           its own world consistently (in the tiled node, its tile states go wrong at one tile), fakes the final
///           VM state of the node (or tile) it lied about, and now and then posts garbage;
///         - an honest challenger, who challenges only lies and answers truthfully;
///         - two griefers, who challenge anything and answer at random.
///         Time moves only by `warp`, which never lets an honest mover's clock run out (honest parties are online).
///         Ghosts: every wei deposited (bonds) and withdrawn, the moves of each dispute, and every ruling.
/// @dev The VM traces of every (input tensor, untiled node) pair the actors can meet are computed once, in the
///      constructor; the tiled node's tile states are computed the first time a story needs them, and a tile's VM
///      trace when a dispute enters it.
contract GameHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant NODES = HandlerModel.NODES;
    uint256 internal constant TILED_NODE = HandlerModel.TILED_NODE;
    uint256 internal constant TILES = HandlerModel.TILES;
    uint256 internal constant VARIANTS = 3;

    DisputeGame public immutable game;
    VMJudge public immutable judge;
    TraceRunner internal immutable tracer;
    HandlerCalls internal immutable calls_;
    TileCalls internal immutable tileCalls_;
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
        uint8 lieTile;
    }

    mapping(uint256 => SubmissionGhost) internal _subs;
    mapping(uint256 => bool) public honestChallenge; // by dispute
    /// @dev The submitter's claimed VM hashes for the dispute's node or tile (set at startVM or startTileVM), and
    ///      the true ones (what the honest challenger compares with).
    mapping(uint256 => bytes32[]) internal _claimedVM;
    mapping(uint256 => bytes32[]) internal _truthVM;
    /// @dev The states last posted in each dispute, read from its StatesPosted event.
    mapping(uint256 => bytes32[]) internal _posted;
    /// @dev The agreed tile state sigma_i (3-leaf memory prefix) of a dispute in a tile's VM run.
    mapping(uint256 => bytes32[]) internal _tileSigma;
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
    uint256 public tileStarts;
    uint256 public tileVMStarts;
    uint256 public stepRulings;
    uint256 public timeouts;
    uint256 public settlements;
    uint256 public challengerWins;
    uint256 public finalizations;
    uint256 public withdrawals;

    /// @dev The helpers are deployed by the test (not here: their creation code would push this contract's over
    ///      the initcode size limit, EIP-3860).
    constructor(DisputeGame game_, VMJudge judge_, TraceRunner tracer_, HandlerCalls calls__, TileCalls tileCalls__) {
        game = game_;
        judge = judge_;
        tracer = tracer_;
        calls_ = calls__;
        tileCalls_ = tileCalls__;
        clockSeconds = game_.clockSeconds();
        moveIncrement = game_.moveIncrement();
        minBond = game_.minBond();
        challengeBond = game_.challengeBond();
        NodeSpec[] memory specs = HandlerModel.specs();
        Model memory m = ToyModels.modelOf(specs, 1);
        modelId = game_.register(specs, m.inputWords, m.outputSlot, m.outputWords);
        for (uint256 v = 0; v < VARIANTS; v++) {
            int32[8][] memory t = calls_.tensors(v, false, 0);
            for (uint256 j = 0; j < NODES; j++) {
                if (j == TILED_NODE) continue;
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
            honest: seed % 2 == 0,
            variant: uint8((seed >> 8) % VARIANTS),
            lieNode: uint8((seed >> 16) % NODES),
            lieTile: uint8((seed >> 20) % TILES)
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
            bytes32[] memory states = _cut(v, _graphStates(_world(id)));
            if (liarSubmits && r % 8 == 0) states[r % states.length] = keccak256(abi.encode("garbage", r));
            return _try(v.submitter, abi.encodeCall(DisputeGame.postGraphStates, (d, states)));
        }
        if (v.next == Move.RespondGraph) {
            uint256 part = honestChallenge[d] ? _firstWrong(d, v, _graphStates(_truth(id))) : r % v.parts;
            return _try(v.challenger, abi.encodeCall(DisputeGame.respondGraph, (d, part, _posted[d])));
        }
        if (v.next == Move.StartVM) return v.lo == TILED_NODE ? _startTiles(d, v) : _startVM(d, v);
        if (v.next == Move.PostTileState) {
            bytes32[] memory states = _cut(v, _stories(id, false));
            if (liarSubmits && r % 8 == 0) states[r % states.length] = keccak256(abi.encode("garbage", r));
            return _try(v.submitter, abi.encodeCall(DisputeGame.postTileStates, (d, states)));
        }
        if (v.next == Move.RespondTile) {
            uint256 part = honestChallenge[d] ? _firstWrong(d, v, _stories(id, true)) : r % v.parts;
            return _try(v.challenger, abi.encodeCall(DisputeGame.respondTile, (d, part, _posted[d])));
        }
        if (v.next == Move.StartTileVM) return _startTileVM(d, v);
        if (v.next == Move.PostVMState) {
            bytes32[] memory states = _cut(v, _claimedVM[d]);
            if (liarSubmits && r % 8 == 0) states[r % states.length] = keccak256(abi.encode("garbage", r));
            return _try(v.submitter, abi.encodeCall(DisputeGame.postVMStates, (d, states)));
        }
        if (v.next == Move.RespondVM) {
            uint256 part = honestChallenge[d] ? _firstWrong(d, v, _truthVM[d]) : r % v.parts;
            return _try(v.challenger, abi.encodeCall(DisputeGame.respondVM, (d, part, _posted[d])));
        }
        // ResolveStep: the challenger's move. The honest one always makes it; a griefer sometimes (always when
        // draining); an honest submitter may end it itself.
        if (honestChallenge[d] || draining || r % 2 == 0) return _resolve(d, v.challenger);
        if (!liarSubmits && r % 4 == 1) return _resolve(d, v.submitter);
        return false;
    }

    /// @dev The states at the inner positions of v's cut, from a story with one hash per position.
    function _cut(DisputeView memory v, bytes32[] memory byPosition) internal pure returns (bytes32[] memory) {
        return Cuts.pick(byPosition, v.lo, v.hi, v.parts);
    }

    /// @dev The honest challenger's part: the first whose end state (as posted in d) is not the truth's.
    function _firstWrong(uint256 d, DisputeView memory v, bytes32[] memory truth) internal view returns (uint256) {
        return Cuts.firstWrong(_posted[d], _cut(v, truth));
    }

    /// @dev The submitter proves node j = lo from its own world; for the node it lied about, it fakes the final
    ///      state's memory to hold its claimed output.
    function _startVM(uint256 d, DisputeView memory v) internal returns (bool) {
        uint256 id = v.submissionId;
        uint256 j = v.lo;
        bytes32[] memory world = _world(id);
        bytes32[] memory mem = ToyModels.nodeMemory(ToyModels.chainSpec(j, false), world);
        (VMState memory fin, bytes32[] memory finalMem) = _finalState(mem, j);
        bytes32[] memory claimed = _copy(_trace[keccak256(abi.encode(world[j], j))]);
        if (finalMem[1] != world[j + 1]) {
            finalMem[1] = world[j + 1];
            fin.memRoot = SmallTree.root(finalMem, MEM_DEPTH);
            claimed[claimed.length - 1] = hashState(fin);
        }
        _claimedVM[d] = claimed;
        _truthVM[d] = _trueVM(id, j);
        return _try(v.submitter, calls_.startVM(d, j, world, fin, finalMem));
    }

    /// @dev The submitter proves its tile states of the tiled node: sigma_0 from the agreed input, its sigma_m (the
    ///      last of its story) holding its claimed output.
    function _startTiles(uint256 d, DisputeView memory v) internal returns (bool) {
        (bytes32 inLeaf, uint8 lieTile) = _storyOf(v.submissionId, false);
        return _try(v.submitter, tileCalls_.startTiles(d, _world(v.submissionId), inLeaf, lieTile));
    }

    /// @dev The submitter proves tile i = lo's run from its sigma_i to its sigma_{i+1} (the claim at hi): the real
    ///      final state, or for a lie (or garbage it posted) one forged to hold the claim.
    function _startTileVM(uint256 d, DisputeView memory v) internal returns (bool) {
        (bytes32 inLeaf, uint8 lieTile) = _storyOf(v.submissionId, false);
        (bytes memory data, bytes32[] memory claimed, bytes32[] memory truth, bytes32[] memory sigmaI) =
            tileCalls_.startTileVM(d, inLeaf, lieTile, v.lo, v.hiHash);
        _claimedVM[d] = claimed;
        _truthVM[d] = truth;
        _tileSigma[d] = sigmaI;
        return _try(v.submitter, data);
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
        if (v.numTiles != 0) {
            // A tile's run: from mu_i, the agreed sigma_i with tile i's constants in the window.
            if (_tileSigma[d].length == 0) return false; // ended before any tile's run
            return _try(who, tileCalls_.resolveStep(d, v.tile, _tileSigma[d], v.lo));
        }
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
            } else if (topic == DisputeGame.StatesPosted.selector) {
                // The challenger answers on the states as the event gives them (the game keeps only their hash).
                (,,, bytes32[] memory states) = abi.decode(logs[i].data, (Phase, uint64, uint64, bytes32[]));
                _posted[uint256(logs[i].topics[1])] = states;
                moves[uint256(logs[i].topics[1])] += 1;
            } else if (topic == DisputeGame.Responded.selector) {
                moves[uint256(logs[i].topics[1])] += 1;
            } else if (topic == DisputeGame.VMStarted.selector) {
                moves[uint256(logs[i].topics[1])] += 1;
                vmStarts += 1;
            } else if (topic == DisputeGame.TilesStarted.selector) {
                moves[uint256(logs[i].topics[1])] += 1;
                tileStarts += 1;
            } else if (topic == DisputeGame.TileVMStarted.selector) {
                moves[uint256(logs[i].topics[1])] += 1;
                tileVMStarts += 1;
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

    function _tensors(uint256 id) internal view returns (int32[8][] memory) {
        SubmissionGhost memory g = _subs[id];
        return calls_.tensors(g.variant, !g.honest, g.lieNode);
    }

    /// @dev The submitter's world (true for an honest one).
    function _world(uint256 id) internal view returns (bytes32[] memory) {
        return ToyModels.rootsOf(_tensors(id));
    }

    function _truth(uint256 id) internal view returns (bytes32[] memory) {
        return ToyModels.rootsOf(calls_.tensors(_subs[id].variant, false, 0));
    }

    /// @dev The tile story of submission id's submitter (or the truth): the tiled node's input in that world, and
    ///      the tile it lied in (NO_LIE for the honest, or for a liar that lied in another node).
    function _storyOf(uint256 id, bool truth) internal view returns (bytes32 inLeaf, uint8 lieTile) {
        SubmissionGhost memory g = _subs[id];
        bool lies = !truth && !g.honest && g.lieNode == TILED_NODE;
        inLeaf = (truth ? _truth(id) : _world(id))[TILED_NODE];
        lieTile = lies ? g.lieTile : HandlerModel.NO_LIE;
    }

    /// @dev Tile state k's root in that story.
    function _story(uint256 id, bool truth, uint256 k) internal returns (bytes32) {
        (bytes32 inLeaf, uint8 lieTile) = _storyOf(id, truth);
        return tileCalls_.sigmaRoot(inLeaf, lieTile, k);
    }

    /// @dev S_0 .. S_n of `world`: the graph state at each node position.
    function _graphStates(bytes32[] memory world) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](NODES + 1);
        for (uint256 p = 0; p <= NODES; p++) {
            s[p] = ToyModels.graphState(world, 1 + p);
        }
    }

    /// @dev Tile states sigma_0 .. sigma_m's roots in the story of submission id's submitter (or the truth).
    function _stories(uint256 id, bool truth) internal returns (bytes32[] memory s) {
        s = new bytes32[](TILES + 1);
        for (uint256 k = 0; k <= TILES; k++) {
            s[k] = _story(id, truth, k);
        }
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

    /// @dev Input variant v's 8 words.
    function input(uint256 v) public pure returns (int32[8] memory x) {
        for (uint256 i = 0; i < 8; i++) {
            x[i] = int32(int256(v * 100 + i)) - 50;
        }
    }

    /// @dev The slot tensors on input variant v (HandlerModel.tensors).
    function tensors(uint256 v, bool lie, uint256 lieNode) external pure returns (int32[8][] memory) {
        return HandlerModel.tensors(input(v), lie, lieNode);
    }

    /// @dev startVM(d, witness) for chain node j of `world` with the final state `fin` and memory `finalMem`.
    function startVM(uint256 d, uint256 j, bytes32[] memory world, VMState memory fin, bytes32[] memory finalMem)
        external
        pure
        returns (bytes memory)
    {
        TransitionProof memory tp = ToyModels.transition(HandlerModel.specs(), j, world, 1, fin, finalMem);
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

/// @title TileCalls
/// @notice The tiled node's heavy lifting for GameHandler: tile stories (every tile's run through the judge, kept
///         here by story), the witnesses of startTiles and startTileVM, and a tile's step proof, so that the
///         handler stays under the contract size limit. A story is the tiled node's input leaf and the tile its
///         submitter lied in (HandlerModel.NO_LIE: none).
contract TileCalls {
    VMJudge public immutable judge;

    /// @dev Per story: the tile states' roots, their 3-leaf memory prefixes flattened, each tile's final VM state
    ///      (forged at the lie).
    mapping(bytes32 => bytes32[]) internal _roots;
    mapping(bytes32 => bytes32[]) internal _leaves;
    mapping(bytes32 => mapping(uint256 => VMState)) internal _finals;

    constructor(VMJudge judge_) {
        judge = judge_;
    }

    /// @dev Computes the story the first time it is asked for; returns its key.
    function _story(bytes32 inLeaf, uint8 lieTile) internal returns (bytes32 key) {
        key = keccak256(abi.encode(inLeaf, lieTile));
        if (_roots[key].length != 0) return key;
        bool lie = lieTile != HandlerModel.NO_LIE;
        (bytes32[][] memory sigma, VMState[] memory finals) =
            TiledToys.run(judge, inLeaf, HandlerModel.TILES, lie, lie ? lieTile : 0);
        _roots[key] = TiledToys.roots(sigma);
        for (uint256 k = 0; k < sigma.length; k++) {
            for (uint256 l = 0; l < 3; l++) {
                _leaves[key].push(sigma[k][l]);
            }
            if (k < finals.length) _finals[key][k] = finals[k];
        }
    }

    function _sigma(bytes32 key, uint256 k) internal view returns (bytes32[] memory p) {
        p = new bytes32[](3);
        for (uint256 l = 0; l < 3; l++) {
            p[l] = _leaves[key][3 * k + l];
        }
    }

    /// @dev Tile state k's root in the story.
    function sigmaRoot(bytes32 inLeaf, uint8 lieTile, uint256 k) external returns (bytes32) {
        return _roots[_story(inLeaf, lieTile)][k];
    }

    /// @dev startTiles(d, witness) for the tiled node of `world` with the story's last tile state.
    function startTiles(uint256 d, bytes32[] memory world, bytes32 inLeaf, uint8 lieTile)
        external
        returns (bytes memory)
    {
        bytes32[] memory sigmaM = _sigma(_story(inLeaf, lieTile), HandlerModel.TILES);
        TileEntryProof memory e = TiledToys.entry(HandlerModel.specs(), HandlerModel.TILED_NODE, world, 1, sigmaM);
        return abi.encodeCall(DisputeGame.startTiles, (d, e));
    }

    /// @dev startTileVM(d, witness) for tile i of the story, whose run must end in `claim` (sigma_{i+1} as posted):
    ///      the real final state, or one forged to hold the claim. Also the claimed VM hashes (the real run's, the
    ///      last one the final state's), the real ones, and sigma_i.
    function startTileVM(uint256 d, bytes32 inLeaf, uint8 lieTile, uint256 i, bytes32 claim)
        external
        returns (bytes memory data, bytes32[] memory claimed, bytes32[] memory truth, bytes32[] memory sigmaI)
    {
        bytes32 key = _story(inLeaf, lieTile);
        sigmaI = _sigma(key, i);
        VMState memory fin = _finals[key][i];
        if (fin.memRoot != claim) fin.memRoot = claim;
        truth = Tracer.hashes(judge, TiledToys.tileCode(i), TiledToys.mu(sigmaI, i), TiledToys.TILE_STEPS);
        claimed = Tracer.copy(truth);
        claimed[claimed.length - 1] = hashState(fin);
        TileVMProof memory p = TiledToys.tileVM(HandlerModel.TILES, i, sigmaI, fin);
        data = abi.encodeCall(DisputeGame.startTileVM, (d, p));
    }

    /// @dev resolveStep(d, pre, proof) from the state at step lo of tile k's run from `sigmaK`.
    function resolveStep(uint256 d, uint256 k, bytes32[] memory sigmaK, uint64 lo)
        external
        view
        returns (bytes memory)
    {
        (VMState memory pre, StepProof memory proof) =
            Tracer.stateAt(judge, TiledToys.tileCode(k), TiledToys.mu(sigmaK, k), lo);
        return abi.encodeCall(DisputeGame.resolveStep, (d, pre, proof));
    }
}
