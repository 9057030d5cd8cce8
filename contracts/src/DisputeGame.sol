// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Merkle} from "./Merkle.sol";
import {VMState, StepProof, hashState, STATUS_RUNNING} from "./VMTypes.sol";
import {BadProofLength, PreStateMismatch} from "./VMErrors.sol";
import {Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {ModelRegistry} from "./ModelRegistry.sol";
import {InputUploads} from "./InputUploads.sol";
import {IStepJudge} from "./IStepJudge.sol";
import {TransitionVerifier} from "./TransitionVerifier.sol";
import {Side, ChessClock} from "./Clock.sol";
import {Bisection} from "./Bisection.sol";
import {
    SubmissionStatus,
    Phase,
    Reason,
    Move,
    Submission,
    Dispute,
    DisputeView,
    TransitionProof,
    TileEntryProof,
    TileVMProof
} from "./GameTypes.sol";
import "./GameErrors.sol";

/// @title DisputeGame
/// @notice Optimistic ML results on-chain (docs/GAME.md): a submitter publishes a model's inputs (InputUploads) and
///         posts its output with a bond; during the challenge window anyone may dispute it with the game's
///         challenge bond. Each dispute dissects the graph states (k parts a round, k the arity) down to one node,
///         checks the transition into that node's VM run (startVM), dissects the VM states down to one step and has
///         the judge execute it; a tiled node adds a level (startTiles, a dissection over its tile states,
///         startTileVM into one tile's VM run). Whoever is shown wrong, or lets its chess clock run out, loses.
/// @dev One dispute per challenge, several per submission, and each runs to its own ruling: a dispute that was
///      losing is never refunded. Moves are assigned: the submitter posts hashes and the transition, the
///      challenger answers; resolveStep, timeout, settle and finalize are open to anyone. Positions are always
///      computed here. Payouts are credits withdrawn with withdraw(); burns are a counter, never a transfer.
contract DisputeGame is ModelRegistry, InputUploads {
    /// @notice The one-step judge (a VMJudge).
    IStepJudge public immutable judge;
    /// @notice The transitions' checks: startVM's, startTiles' and startTileVM's (deployed by the constructor; a
    ///         separate contract keeps this one under the code size limit).
    TransitionVerifier public immutable transitionVerifier;
    /// @notice The smallest submission bond.
    uint256 public immutable minBond;
    /// @notice Every challenge's bond, fixed per deployment (it never depends on the submitter's choice).
    uint256 public immutable challengeBond;
    /// @notice Seconds after a submission during which it can be challenged (the last second included).
    uint64 public immutable challengeWindow;
    /// @notice Each side's starting time budget per dispute, in seconds (and the most it can ever have left).
    uint64 public immutable clockSeconds;
    /// @notice Seconds credited to a side's clock at each of its moves (Fischer increment).
    uint64 public immutable moveIncrement;
    /// @notice k: how many parts each post cuts a disputed interval into (2 = bisection; docs/GAME.md, "Dissection").
    uint256 public immutable arity;

    Submission[] internal _submissions;
    Dispute[] internal _disputes;

    /// @notice Wei each account can withdraw.
    mapping(address => uint256) public credits;
    /// @notice Wei burned: kept by this contract forever, owed to nobody.
    uint256 public burned;

    /// @notice A result was submitted.
    /// @param id The submission id.
    /// @param submitter Who submitted it.
    /// @param modelId The model it claims to have run.
    /// @param bond The bond.
    /// @param uploads The input uploads it was made on (graph input i from uploads[i]; InputChunk events).
    /// @param inputRoots The graph inputs' tensor roots (slots 0 .. numInputs - 1), computed here.
    /// @param output The output tensor's words, packed 4 bytes each, big-endian.
    /// @param finalState S_n, the submitter's graph state after all nodes.
    event Submitted(
        uint256 indexed id,
        address indexed submitter,
        bytes32 indexed modelId,
        uint256 bond,
        uint256[] uploads,
        bytes32[] inputRoots,
        bytes output,
        bytes32 finalState
    );

    /// @notice Submission `id` was rejected and every dispute on it ruled: each of `winners` winning challengers
    ///         is owed `share` (settle), and `burnedAmount` of the submitter's bond was burned.
    event BondForfeited(uint256 indexed id, uint256 winners, uint256 share, uint256 burnedAmount);

    /// @notice A dispute began; the submitter moves first.
    /// @param d The dispute id.
    /// @param id The disputed submission.
    /// @param challenger The challenger.
    event Challenged(uint256 indexed d, uint256 indexed id, address indexed challenger);

    /// @notice The submitter posted its states at the inner positions of the cut of [lo, hi] into
    ///         k' = states.length + 1 parts, p_i = lo + floor(i (hi - lo) / k'): graph states S_{p_i} (phase Graph),
    ///         tile states sigma_{p_i} (Tile) or VM state hashes at steps p_i (VM).
    event StatesPosted(uint256 indexed d, Phase phase, uint64 lo, uint64 hi, bytes32[] states);

    /// @notice The challenger named part `part` of the cut in `phase`; [lo, hi] is the new interval.
    event Responded(uint256 indexed d, Phase phase, uint256 part, uint64 lo, uint64 hi);

    /// @notice The transition into node `node`'s VM run checked out; the VM dissection runs over [0, steps].
    event VMStarted(uint256 indexed d, uint32 node, uint64 steps, bytes32 initialState, bytes32 finalState);

    /// @notice The transition into tiled node `node` checked out; the tile dissection runs over tile states
    ///         [0, numTiles], from sigma_0 = `initialMem` (composed here) to the submitter's sigma_m = `finalMem`.
    event TilesStarted(uint256 indexed d, uint32 node, uint32 numTiles, bytes32 initialMem, bytes32 finalMem);

    /// @notice The transition into tile `tile`'s VM run checked out; the VM dissection runs over [0, steps].
    event TileVMStarted(uint256 indexed d, uint32 tile, uint64 steps, bytes32 initialState, bytes32 finalState);

    /// @notice A dispute ended with a ruling.
    event DisputeResolved(uint256 indexed d, Side winner, Reason reason);

    /// @notice The submitter lost dispute `d` (the first it lost): the submission is rejected.
    event SubmissionRejected(uint256 indexed id, uint256 indexed d);

    /// @notice The submission's window closed with no dispute lost and none open; its bond was credited back.
    event SubmissionFinalized(uint256 indexed id);

    /// @notice Dispute `d`'s winning challenger was credited its share of the forfeited bond.
    event Settled(uint256 indexed d, uint256 share);

    /// @notice `account` withdrew `amount` wei of credit.
    event Withdrawn(address indexed account, uint256 amount);

    /// @param judge_ The one-step judge (a VMJudge).
    /// @param minBond_ The smallest submission bond (> 0).
    /// @param challengeBond_ Every challenge's bond (> 0).
    /// @param challengeWindow_ Seconds a submission can be challenged (> 0).
    /// @param clockSeconds_ Each side's starting budget per dispute (> 0).
    /// @param moveIncrement_ Seconds credited per move (> 0 and <= clockSeconds_).
    /// @param arity_ k, the parts per cut (2 .. 64).
    constructor(
        IStepJudge judge_,
        uint256 minBond_,
        uint256 challengeBond_,
        uint64 challengeWindow_,
        uint64 clockSeconds_,
        uint64 moveIncrement_,
        uint256 arity_
    ) {
        // INVARIANT: a submission is worth disputing and a challenge costs something: no zero bonds.
        if (minBond_ == 0) revert InvalidParameter("minBond");
        if (challengeBond_ == 0) revert InvalidParameter("challengeBond");
        // INVARIANT: there is time to challenge, and each side has time to move.
        if (challengeWindow_ == 0) revert InvalidParameter("challengeWindow");
        if (clockSeconds_ == 0) revert InvalidParameter("clockSeconds");
        // INVARIANT: every move earns time back, so a side that moves at the last second is never starved; and no
        // increment exceeds the budget it is capped at.
        if (moveIncrement_ == 0 || moveIncrement_ > clockSeconds_) revert InvalidParameter("moveIncrement");
        if (address(judge_).code.length == 0) revert InvalidParameter("judge");
        // INVARIANT: every cut narrows the interval (k >= 2), and a post's states stay a small, bounded calldata
        // (k <= 64), so the forced-move bounds on posts and answers hold for every deployment.
        if (arity_ < 2 || arity_ > 64) revert InvalidParameter("arity");
        arity = arity_;
        judge = judge_;
        transitionVerifier = new TransitionVerifier();
        minBond = minBond_;
        challengeBond = challengeBond_;
        challengeWindow = challengeWindow_;
        clockSeconds = clockSeconds_;
        moveIncrement = moveIncrement_;
    }

    // ======================================================================================================
    // Submissions
    // ======================================================================================================

    /// @notice Posts `output` as the result of running model `modelId` on the inputs published in `uploads`
    ///         (graph input i from uploads[i], exactly the model's word count each), with S_n = `finalState`;
    ///         msg.value is the bond.
    /// @param output The output's words, packed 4 bytes each, big-endian: exactly the model's output word count.
    /// @param outputSiblings D siblings proving the output's root at the model's output slot under finalState.
    /// @return id The submission id.
    function submit(
        bytes32 modelId,
        uint256[] calldata uploads,
        bytes calldata output,
        bytes32 finalState,
        bytes32[] calldata outputSiblings
    ) external payable returns (uint256 id) {
        bytes32[] memory inputRoots;
        {
            Model memory m = _registered(modelId);
            // INVARIANT: a submission is worth disputing: its bond pays the challengers who show it wrong.
            if (msg.value < minBond) revert BondTooLow(minBond, msg.value);
            inputRoots = _inputRoots(m, uploads);
            bytes32 outputRoot = _checkOutput(m, output, finalState, outputSiblings);
            bytes32 initialState =
                Commitments.initialGraphState(inputRoots, uint256(m.inputWords.length) + m.numNodes);
            id = _newSubmission(modelId, initialState, finalState, outputRoot);
        }
        emit Submitted(id, msg.sender, modelId, msg.value, uploads, inputRoots, output, finalState);
    }

    /// @dev The graph inputs' roots, each computed here from its upload at the model's committed size.
    function _inputRoots(Model memory m, uint256[] calldata uploads) private view returns (bytes32[] memory roots) {
        uint256 n = m.inputWords.length;
        // INVARIANT: one published tensor per graph input, so S_0 has exactly the model's input slots filled, each
        // with words anyone can read from the chain.
        if (uploads.length != n) revert InputCountMismatch(n, uploads.length);
        roots = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            roots[i] = _inputRoot(uploads[i], i, m.inputWords[i]);
        }
    }

    /// @dev Checks the posted output against the model's size and S_n; returns its root.
    function _checkOutput(Model memory m, bytes calldata output, bytes32 finalState, bytes32[] calldata outputSiblings)
        private
        pure
        returns (bytes32 outputRoot)
    {
        // INVARIANT: the output is exactly the committed word count, hashed at the committed height: no padding
        // added or dropped, and no 8 words that spell a root, can pass for it.
        if (output.length != uint256(m.outputWords) * 4) revert OutputSizeMismatch(uint256(m.outputWords) * 4, output.length);
        uint256 depth = Commitments.slotDepth(uint256(m.inputWords.length) + m.numNodes);
        // INVARIANT: the slot tree has fixed depth D.
        if (outputSiblings.length != depth) revert BadProofLength(depth, outputSiblings.length);
        outputRoot = Commitments.packedRoot(output, Commitments.tensorHeight(m.outputWords));
        // INVARIANT: the posted output is the tensor at the output slot of the state the game will defend.
        if (!Merkle.verify(finalState, outputRoot, m.outputSlot, outputSiblings)) {
            revert OutputNotInFinalState(outputRoot);
        }
    }

    /// @dev Records a pending submission by the caller with msg.value as its bond.
    function _newSubmission(bytes32 modelId, bytes32 initialState, bytes32 finalState, bytes32 outputRoot)
        private
        returns (uint256 id)
    {
        id = _submissions.length;
        Submission storage s = _submissions.push();
        s.submitter = msg.sender;
        s.submittedAt = uint64(block.timestamp);
        s.status = SubmissionStatus.Pending;
        s.modelId = modelId;
        s.bond = msg.value;
        s.initialState = initialState;
        s.finalState = finalState;
        s.outputRoot = outputRoot;
    }

    /// @notice Disputes submission `id`; msg.value must be the challenge bond. The submitter moves first.
    /// @return d The dispute id.
    function challenge(uint256 id) external payable returns (uint256 d) {
        Submission storage s = _submission(id);
        // INVARIANT: only a live submission can be disputed.
        if (s.status != SubmissionStatus.Pending) revert SubmissionNotPending(id, s.status);
        uint256 windowEnd = uint256(s.submittedAt) + challengeWindow;
        // INVARIANT: a finalized result is final: no challenge after its window.
        if (block.timestamp > windowEnd) revert ChallengeWindowClosed(windowEnd);
        // INVARIANT: every challenge stakes the same fixed bond, whatever the submitter staked.
        if (msg.value != challengeBond) revert BondMismatch(challengeBond, msg.value);

        d = _disputes.length;
        Dispute storage dis = _disputes.push();
        // Safe: id < _submissions.length, far below 2^64.
        dis.submissionId = uint64(id);
        dis.challenger = msg.sender;
        dis.createdAt = uint64(block.timestamp);
        dis.phase = Phase.Graph;
        dis.clock.start(clockSeconds, Side.Submitter);
        // lo = 0 is S_0 (agreed by construction), hi = n is the submitter's S_n (disputed).
        dis.bisection.init(_models[s.modelId].numNodes, s.initialState, s.finalState);
        s.openDisputes += 1;
        emit Challenged(d, id, msg.sender);
    }

    /// @notice Ends submission `id` after its window with no dispute open and none lost: its bond is credited back
    ///         to the submitter. Anyone may call.
    function finalize(uint256 id) external {
        Submission storage s = _submission(id);
        // INVARIANT: a submission ends once: rejected or finalized, never both, never twice.
        if (s.status != SubmissionStatus.Pending) revert SubmissionNotPending(id, s.status);
        uint256 windowEnd = uint256(s.submittedAt) + challengeWindow;
        // INVARIANT: everyone had the whole window to challenge.
        if (block.timestamp <= windowEnd) revert ChallengeWindowOpen(windowEnd);
        // INVARIANT: every dispute is decided before the bond goes back.
        if (s.openDisputes != 0) revert DisputesOpen(s.openDisputes);
        s.status = SubmissionStatus.Finalized;
        credits[s.submitter] += s.bond;
        emit SubmissionFinalized(id);
    }

    // ======================================================================================================
    // Dissections: graph, tile and VM states
    // ======================================================================================================

    /// @notice The submitter posts its graph states at the inner positions of the cut of [lo, hi] into
    ///         min(arity, hi - lo) parts.
    function postGraphStates(uint256 d, bytes32[] calldata states) external {
        _post(d, Phase.Graph, states);
    }

    /// @notice The challenger names the part of the cut holding the first graph state it disputes (it agrees with
    ///         the state at the part's start), resupplying the posted states.
    function respondGraph(uint256 d, uint256 part, bytes32[] calldata states) external {
        _respond(d, Phase.Graph, part, states);
    }

    /// @notice The submitter posts its tile states (memory roots) at the inner positions of the cut of [lo, hi].
    function postTileStates(uint256 d, bytes32[] calldata states) external {
        _post(d, Phase.Tile, states);
    }

    /// @notice The challenger names the part of the cut holding the first tile state it disputes.
    function respondTile(uint256 d, uint256 part, bytes32[] calldata states) external {
        _respond(d, Phase.Tile, part, states);
    }

    /// @notice The submitter posts its VM state hashes at the inner steps of the cut of [lo, hi].
    function postVMStates(uint256 d, bytes32[] calldata states) external {
        _post(d, Phase.VM, states);
    }

    /// @notice The challenger names the part of the cut holding the first VM state it disputes.
    function respondVM(uint256 d, uint256 part, bytes32[] calldata states) external {
        _respond(d, Phase.VM, part, states);
    }

    /// @dev The submitter's post in `phase`'s dissection: its states at the cut's inner positions, then the
    ///      challenger's turn.
    function _post(uint256 d, Phase phase, bytes32[] calldata states) private {
        Dispute storage dis = _move(d, phase, Side.Submitter);
        Bisection storage bs = dis.bisection;
        (uint64 lo, uint64 hi) = (bs.lo, bs.hi);
        // INVARIANT: a converged interval has no inner position; the next move is the transition (graph and tile
        // phases). In the VM phase the submitter's turn is never converged (a converged VM interval is the
        // challenger's to resolve), so the cut has at least one inner position there too.
        if (hi - lo == 1) revert BisectionConverged(lo, hi);
        bs.post(arity, states);
        dis.clock.handTo(Side.Challenger, moveIncrement, clockSeconds);
        emit StatesPosted(d, phase, lo, hi, states);
    }

    /// @dev The challenger's answer in `phase`'s dissection, then the submitter's turn; or, once a VM interval
    ///      converges, the challenger's again (resolveStep).
    function _respond(uint256 d, Phase phase, uint256 part, bytes32[] calldata states) private {
        Dispute storage dis = _move(d, phase, Side.Challenger);
        Bisection storage bs = dis.bisection;
        // INVARIANT: at one step left the challenger's move is resolveStep; there is nothing to answer. (In the
        // graph and tile phases the challenger's turn always follows a post, so lo + 1 < hi there.)
        if (bs.hi - bs.lo == 1) revert BisectionConverged(bs.lo, bs.hi);
        bs.respond(part, states);
        (uint64 lo, uint64 hi) = (bs.lo, bs.hi);
        // Converged in the VM phase: the challenger, who disputes the state at hi, must now show the step
        // (resolveStep). Otherwise the submitter posts next, or proves the next level's transition.
        bool stepDue = phase == Phase.VM && hi - lo == 1;
        dis.clock.handTo(stepDue ? Side.Challenger : Side.Submitter, moveIncrement, clockSeconds);
        emit Responded(d, phase, part, lo, hi);
    }

    // ======================================================================================================
    // Transitions
    // ======================================================================================================

    /// @notice The submitter proves the transition from the agreed S_lo through node j = lo's VM run to its S_hi,
    ///         and the VM dissection starts over [0, spec.steps]. Every check of docs/GAME.md, "Transition";
    ///         a transition that does not check reverts (and a submitter who cannot make one loses on time).
    ///         Node j must be untiled (NodeTiled otherwise: its transition is startTiles).
    function startVM(uint256 d, TransitionProof calldata t) external {
        uint256 proof;
        assembly ("memory-safe") {
            proof := t // the witness's calldata offset, to pass it on as it came
        }
        (Dispute storage dis, uint64 j, bytes memory ret) =
            _nodeTransition(d, TransitionVerifier.verify.selector, proof);
        (bytes32 initialHash, bytes32 finalHash, uint64 steps) = abi.decode(ret, (bytes32, bytes32, uint64));
        // Safe: j < numNodes, a uint32.
        dis.node = uint32(j);
        _startVMBisection(dis, steps, initialHash, finalHash);
        emit VMStarted(d, uint32(j), steps, initialHash, finalHash);
    }

    /// @notice The submitter proves the transition from the agreed S_lo into tiled node j = lo's tile states and
    ///         out to its S_hi: sigma_0 composed here from the agreed roots, its sigma_m holding the node's output R,
    ///         S_hi = S_lo with R in node j's slot. The tile dissection starts over [0, numTiles] (docs/GAME.md,
    ///         "Tiled nodes"). Node j must be tiled (NodeNotTiled otherwise: its transition is startVM).
    function startTiles(uint256 d, TileEntryProof calldata t) external {
        uint256 proof;
        assembly ("memory-safe") {
            proof := t // the witness's calldata offset, to pass it on as it came
        }
        (Dispute storage dis, uint64 j, bytes memory ret) =
            _nodeTransition(d, TransitionVerifier.verifyTiles.selector, proof);
        (
            bytes32 initialMem,
            bytes32 finalMem,
            uint32 numTiles,
            bytes32 tilesRoot,
            uint32 windowBase,
            uint8 windowHeight
        ) = abi.decode(ret, (bytes32, bytes32, uint32, bytes32, uint32, uint8));
        dis.phase = Phase.Tile;
        // Safe: j < numNodes, a uint32.
        dis.node = uint32(j);
        // What startTileVM needs from the spec, kept here (all but tilesRoot in a slot the dispute writes anyway).
        dis.numTiles = numTiles;
        dis.windowBase = windowBase;
        dis.windowHeight = windowHeight;
        dis.tilesRoot = tilesRoot;
        // lo = 0 is sigma_0 (computed here from agreed roots), hi = numTiles is the submitter's sigma_m (disputed).
        dis.bisection.init(numTiles, initialMem, finalMem);
        // The submitter posts next, or (one tile: converged at once) proves the tile's transition.
        dis.clock.handTo(Side.Submitter, moveIncrement, clockSeconds);
        emit TilesStarted(d, uint32(j), numTiles, initialMem, finalMem);
    }

    /// @notice The submitter proves the transition from the agreed tile state sigma_i (i = lo) through tile i's VM
    ///         run to its sigma_{i+1}, and the VM dissection starts over [0, tile.steps] (docs/GAME.md, "Tiled
    ///         nodes"). The VM phase and the judge then proceed as for an untiled node.
    function startTileVM(uint256 d, TileVMProof calldata t) external {
        Dispute storage dis = _move(d, Phase.Tile, Side.Submitter);
        Bisection memory b = dis.bisection;
        // INVARIANT: the transition is proven for exactly one tile, the first one in dispute; the tile index i
        // comes from the game, never from the witness, and i < numTiles.
        if (!b.isConverged()) revert BisectionNotConverged(b.lo, b.hi);
        uint256 proof;
        assembly ("memory-safe") {
            proof := t // the witness's calldata offset, to pass it on as it came
        }
        bytes memory ret = _verify(
            abi.encodeWithSelector(
                TransitionVerifier.verifyTileVM.selector,
                dis.tilesRoot,
                dis.numTiles,
                dis.windowBase,
                dis.windowHeight,
                b.lo,
                b.loHash,
                b.hiHash,
                uint256(0x100) // the witness's offset: after these eight head words
            ),
            proof
        );
        (bytes32 initialHash, bytes32 finalHash, uint64 steps) = abi.decode(ret, (bytes32, bytes32, uint64));
        // Safe: lo < numTiles, a uint32.
        dis.tile = uint32(b.lo);
        _startVMBisection(dis, steps, initialHash, finalHash);
        emit TileVMStarted(d, uint32(b.lo), steps, initialHash, finalHash);
    }

    /// @dev The common part of startVM and startTiles: the submitter's move at the converged graph dissection, and
    ///      the verifier's answer for node j = lo (a revert passed on as it came).
    function _nodeTransition(uint256 d, bytes4 selector, uint256 proof)
        private
        view
        returns (Dispute storage dis, uint64 j, bytes memory ret)
    {
        dis = _move(d, Phase.Graph, Side.Submitter);
        Bisection memory b = dis.bisection;
        // INVARIANT: the transition is proven for exactly one node, the first one in dispute.
        if (!b.isConverged()) revert BisectionNotConverged(b.lo, b.hi);
        Model memory m = _models[_submissions[dis.submissionId].modelId];
        j = b.lo;
        // verify(m, j, S_lo, S_hi, witness): the model is encoded after the five head words (its own 5 head words,
        // the inputWords length and words), and the witness after it.
        ret = _verify(
            abi.encodeWithSelector(selector, m, j, b.loHash, b.hiHash, 32 * (11 + m.inputWords.length)), proof
        );
    }

    /// @dev Calls the verifier with `head` (selector and every argument but the last, the witness, whose offset
    ///      `head` ends with) followed by the witness as it is in this call's calldata from `proof` on (its inner
    ///      offsets are relative to its start, so it moves as one piece). Returns the verifier's answer, or reverts
    ///      with the verifier's error.
    function _verify(bytes memory head, uint256 proof) private view returns (bytes memory ret) {
        bool ok;
        (ok, ret) = address(transitionVerifier).staticcall(bytes.concat(head, msg.data[proof:]));
        if (!ok) _bubble(ret);
    }

    /// @dev Reverts with a callee's revert data as it came (so its named errors reach the caller).
    function _bubble(bytes memory ret) private pure {
        assembly ("memory-safe") {
            revert(add(ret, 32), mload(ret))
        }
    }

    /// @dev The VM phase over [0, steps], from the initial state's hash (computed by the verifier) to the
    ///      submitter's final one.
    function _startVMBisection(Dispute storage dis, uint64 steps, bytes32 initialHash, bytes32 finalHash) private {
        dis.phase = Phase.VM;
        dis.bisection.init(steps, initialHash, finalHash);
        // A one-step run is converged at once: the challenger's move is resolveStep.
        dis.clock.handTo(steps == 1 ? Side.Challenger : Side.Submitter, moveIncrement, clockSeconds);
    }

    /// @notice At one step left, executes it: `pre` must hash to the agreed state at lo; the expected post-state
    ///         is the judge's step (or pre's own hash when pre is not RUNNING). The submitter wins when it equals
    ///         its hash at hi, the challenger otherwise. Anyone may call while the challenger's clock runs.
    function resolveStep(uint256 d, VMState calldata pre, StepProof calldata proof) external {
        Dispute storage dis = _active(d);
        // INVARIANT: a step is judged only in the VM phase, once, at one step left.
        if (dis.phase != Phase.VM) revert WrongPhase(Phase.VM, dis.phase);
        Bisection memory b = dis.bisection;
        // INVARIANT: the judge rules on one step only: the agreed state at lo and the claim at hi = lo + 1.
        if (!b.isConverged()) revert BisectionNotConverged(b.lo, b.hi);
        bytes32 actual = hashState(pre);
        // INVARIANT: every position the bisection can reach is provable by the honest side (docs/GAME.md): the
        // agreed state at lo is the initial state composed here from roots in the agreed S_lo (inputs published
        // on-chain, outputs both sides computed, each at its tensor's height: registration checked it) and from
        // the model's constant roots, or for a tile mu_i, computed here from the agreed tile state sigma_i and the
        // tile's constant window root, or a state the honest party computed itself; so whoever is honest can open
        // `pre` and its memory word, and the step executed is the one from the agreed state.
        if (actual != b.loHash) revert PreStateMismatch(b.loHash, actual);
        bytes32 post = b.loHash;
        if (pre.status == STATUS_RUNNING) {
            // judge.step(loHash, pre, proof): its arguments are this call's with d replaced by loHash (the same head
            // layout), so they are forwarded as they came rather than encoded again (code size).
            (bool ok, bytes memory ret) =
                address(judge).staticcall(bytes.concat(IStepJudge.step.selector, b.loHash, msg.data[36:]));
            if (!ok) _bubble(ret);
            post = abi.decode(ret, (bytes32));
        }
        proof; // forwarded above
        _resolve(d, dis, post == b.hiHash ? Side.Submitter : Side.Challenger, Reason.Step);
    }

    // ======================================================================================================
    // Endings
    // ======================================================================================================

    /// @notice Once the mover's clock is spent, the other side wins. Anyone may call.
    function timeout(uint256 d) external {
        Dispute storage dis = _dispute(d);
        // INVARIANT: a dispute is resolved once.
        if (dis.phase == Phase.Resolved) revert DisputeOver(d);
        ChessClock memory c = dis.clock;
        // INVARIANT: nobody loses on time while its clock still runs.
        if (!c.isSpent()) revert ClockNotSpent(c.deadline());
        _resolve(d, dis, c.turn == Side.Submitter ? Side.Challenger : Side.Submitter, Reason.Timeout);
    }

    /// @notice Credits dispute `d`'s challenger, who won it, its share of the forfeited bond, once every dispute on
    ///         the rejected submission is ruled. Anyone may call; once per dispute.
    function settle(uint256 d) external {
        Dispute storage dis = _dispute(d);
        Submission storage s = _submissions[dis.submissionId];
        // INVARIANT: a share is owed only to a challenger who won its own ruling, once, after the last ruling on
        // the submission fixed how many winners share the bond.
        if (dis.winner != Side.Challenger || dis.settled || s.openDisputes != 0) revert NothingToSettle(d);
        dis.settled = true;
        credits[dis.challenger] += s.rewardShare;
        emit Settled(d, s.rewardShare);
    }

    /// @notice Sends the caller all its credit.
    /// @return amount The wei sent.
    function withdraw() external returns (uint256 amount) {
        amount = credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        // Effects before the interaction: a reentrant call finds no credit left.
        credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    // ======================================================================================================
    // Views
    // ======================================================================================================

    /// @notice Submission `id`.
    function submission(uint256 id) external view returns (Submission memory) {
        return _submission(id);
    }

    /// @notice Dispute `d` as of now: phase, the move awaited, positions and hashes, clocks, deadline, outcome.
    function dispute(uint256 d) external view returns (DisputeView memory v) {
        Dispute storage dis = _dispute(d);
        Submission storage s = _submissions[dis.submissionId];
        Bisection memory b = dis.bisection;
        ChessClock memory c = dis.clock;
        Phase phase = dis.phase;
        v.submissionId = dis.submissionId;
        v.submitter = s.submitter;
        v.challenger = dis.challenger;
        v.phase = phase;
        v.lo = b.lo;
        v.hi = b.hi;
        v.parts = uint64(b.parts(arity));
        v.loHash = b.loHash;
        v.hiHash = b.hiHash;
        v.node = dis.node;
        v.createdAt = dis.createdAt;
        v.winner = dis.winner;
        v.reason = dis.reason;
        v.tile = dis.tile;
        v.numTiles = dis.numTiles;
        // Stopped clocks (as of the last move) once the dispute is over.
        v.submitterClock = c.submitterLeft;
        v.challengerClock = c.challengerLeft;
        if (phase == Phase.Resolved) {
            if (v.winner == Side.Challenger && !dis.settled && s.openDisputes == 0) v.next = Move.Settle;
            return v;
        }
        v.submitterClock = c.remaining(Side.Submitter);
        v.challengerClock = c.remaining(Side.Challenger);
        v.turn = c.turn;
        v.deadline = c.deadline();
        Move next = _nextMove(phase, c.turn, b.isConverged());
        v.next = next;
        if (next == Move.RespondGraph || next == Move.RespondTile || next == Move.RespondVM) v.postedHash = b.postedHash;
    }

    /// @notice The number of submissions (ids are 0 .. count - 1).
    function submissionCount() external view returns (uint256) {
        return _submissions.length;
    }

    /// @notice The number of disputes (ids are 0 .. count - 1).
    function disputeCount() external view returns (uint256) {
        return _disputes.length;
    }

    // ======================================================================================================
    // Internals
    // ======================================================================================================

    /// @dev Records the ruling and credits what it settles at once: the challenger's bond to whoever won (its own
    ///      bond back to a winning challenger, a losing challenger's bond to the submitter). A challenger's win
    ///      rejects the submission (the first one does) and counts it among the winners; the last ruling on a
    ///      rejected submission splits its bond: half burned, the rest shared equally by the winners (settle), the
    ///      remainder of the division burned too.
    function _resolve(uint256 d, Dispute storage dis, Side winner, Reason reason) private {
        uint256 id = dis.submissionId;
        Submission storage s = _submissions[id];
        dis.phase = Phase.Resolved;
        dis.winner = winner;
        dis.reason = reason;
        s.openDisputes -= 1;
        emit DisputeResolved(d, winner, reason);
        if (winner == Side.Challenger) {
            credits[dis.challenger] += challengeBond;
            s.winners += 1;
            if (s.status == SubmissionStatus.Pending) {
                s.status = SubmissionStatus.Rejected;
                emit SubmissionRejected(id, d);
            }
        } else {
            credits[s.submitter] += challengeBond;
        }
        if (s.status == SubmissionStatus.Rejected && s.openDisputes == 0) {
            // Half is burned whatever happens: a liar who challenges its own result from other addresses gets back
            // at most the other half, and never more than any honest winner beside it gets.
            uint256 share = (s.bond - s.bond / 2) / s.winners;
            uint256 burn = s.bond - share * s.winners;
            s.rewardShare = share;
            burned += burn;
            emit BondForfeited(id, s.winners, share, burn);
        }
    }

    /// @dev The dispute for a move of `side` in `phase` by the caller, after every common check.
    function _move(uint256 d, Phase phase, Side side) private view returns (Dispute storage dis) {
        dis = _active(d);
        // INVARIANT: each move belongs to one phase.
        if (dis.phase != phase) revert WrongPhase(phase, dis.phase);
        // INVARIANT: the sides alternate as the game says; nobody moves twice for the other.
        if (dis.clock.turn != side) revert WrongTurn(dis.clock.turn);
        if (side == Side.Submitter) {
            address submitter = _submissions[dis.submissionId].submitter;
            // INVARIANT: only the submitter speaks for its claim.
            if (msg.sender != submitter) revert NotSubmitter(msg.sender);
        } else {
            // INVARIANT: only the challenger speaks for its dispute.
            if (msg.sender != dis.challenger) revert NotChallenger(msg.sender);
        }
    }

    /// @dev A dispute that can still be played: not resolved, the mover's clock running.
    function _active(uint256 d) private view returns (Dispute storage dis) {
        dis = _dispute(d);
        // INVARIANT: a dispute is resolved once; nothing moves after. A dispute runs to its own ruling even after
        // another one rejected its submission, so none that was losing is refunded.
        if (dis.phase == Phase.Resolved) revert DisputeOver(d);
        ChessClock memory c = dis.clock;
        // INVARIANT: a spent clock ends the dispute (timeout); no move after the deadline.
        if (c.isSpent()) revert ClockSpent(c.deadline());
    }

    function _submission(uint256 id) private view returns (Submission storage) {
        if (id >= _submissions.length) revert UnknownSubmission(id);
        return _submissions[id];
    }

    function _dispute(uint256 d) private view returns (Dispute storage) {
        if (d >= _disputes.length) revert UnknownDispute(d);
        return _disputes[d];
    }

    /// @dev The move awaited in an active dispute. At a converged graph dissection it is StartVM for either
    ///      transition (startVM or startTiles, by node lo's spec, which the contract does not keep).
    function _nextMove(Phase phase, Side turn, bool converged) private pure returns (Move) {
        if (phase == Phase.Graph) {
            if (turn == Side.Challenger) return Move.RespondGraph;
            return converged ? Move.StartVM : Move.PostGraphState;
        }
        if (phase == Phase.Tile) {
            if (turn == Side.Challenger) return Move.RespondTile;
            return converged ? Move.StartTileVM : Move.PostTileState;
        }
        if (turn == Side.Submitter) return Move.PostVMState;
        return converged ? Move.ResolveStep : Move.RespondVM;
    }
}
