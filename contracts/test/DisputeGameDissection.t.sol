// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, StepProof, hashState, MEM_DEPTH} from "../src/VMTypes.sol";
import {NodeSpec} from "../src/ModelTypes.sol";
import {Side} from "../src/Clock.sol";
import {SubmissionStatus, Phase, Reason, Move, DisputeView, TransitionProof} from "../src/GameTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {TiledToys} from "./utils/TiledToys.sol";

/// @notice The k-ary dissection in the game (docs/GAME.md, "Dissection"): the arity's bounds, the count and the
///         resupply of posted states, the parts an answer can name, the cut near convergence, k = 2 against the
///         bisection the game had, and the property that matters: whatever the arity, the honest side wins a whole
///         dispute over real toy models, in at most ceil(log_k len) rounds per phase.
/// @dev Each test deploys its own game at the arity it needs (the fixture's judge and parameters) and plays on it.
contract DisputeGameDissectionTest is GameFixture {
    /// @dev The arity of the attack tests: 7 states per full cut.
    uint256 internal constant K = 8;
    /// @dev The chain model of the honest-wins properties.
    uint256 internal constant NODES = 5;

    /// @dev The fixture's game replaced by one of arity k; everything after (models, disputes) is on it.
    function useArity(uint256 k) internal {
        game = deployGame(k);
        assertEq(game.arity(), k);
    }

    /// @dev One of the arities the honest-wins properties run at: 2, 3, 4, 8 or 16.
    function arityOf(uint256 pick) internal pure returns (uint256) {
        uint256[5] memory ks = [uint256(2), 3, 4, 8, 16];
        return ks[pick % ks.length];
    }

    /// @dev n made-up states, tagged.
    function made(uint256 n, string memory tag) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            s[i] = keccak256(abi.encode(tag, i));
        }
    }

    /// @dev A VM dissection over [0, steps] at arity k, the submitter to post (steps >= 2).
    function vmDispute(uint256 k, uint64 steps) internal returns (uint256 d) {
        useArity(k);
        d = disputeWithSteps(steps);
        assertEq(uint8(game.dispute(d).next), uint8(Move.PostVMState));
    }

    /// @dev Posts K - 1 made-up states on a fresh [0, 1000] VM dispute at arity K; returns them.
    function postedOnFreshDispute() internal returns (uint256 d, bytes32[] memory s) {
        d = vmDispute(K, 1000);
        s = made(K - 1, "posted");
        postCut(Phase.VM, submitter, d, s);
    }

    /// @dev The challenger's answer with `states` resupplied, bypassing the remembered list.
    function respondWith(uint256 d, uint256 part, bytes32[] memory states) internal {
        vm.prank(challenger);
        game.respondVM(d, part, states);
    }

    // ======================================================================================================
    // constructor: the arity's bounds
    // ======================================================================================================

    function test_constructor_arityZeroOrOne_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "arity"));
        deployGame(0);
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "arity"));
        deployGame(1);
    }

    /// forge-config: default.fuzz.runs = 32
    function test_constructor_arityAbove64_reverts(uint256 k) public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "arity"));
        deployGame(65);
        k = bound(k, 65, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "arity"));
        deployGame(k);
    }

    function test_constructor_arityTwoAnd64_succeeds() public {
        assertEq(deployGame(2).arity(), 2);
        assertEq(deployGame(64).arity(), 64);
    }

    // ======================================================================================================
    // Attacks on the posted states
    // ======================================================================================================

    function test_attack_postTooFewStates_reverts() public {
        // attack: the submitter posts fewer states than the cut has inner positions, so that the states it does post
        // would be read at positions other than the ones it computed them for (or a part would have no end state).
        uint256 d = vmDispute(K, 1000);
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, K - 2));
        postCut(Phase.VM, submitter, d, made(K - 2, "short"));
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, 0));
        postCut(Phase.VM, submitter, d, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, 1));
        postCut(Phase.VM, submitter, d, one(keccak256("a bisection's one state in a k = 8 game")));
        // The right count goes through.
        postCut(Phase.VM, submitter, d, made(K - 1, "right"));
        assertEq(uint8(game.dispute(d).next), uint8(Move.RespondVM));
    }

    function test_attack_postTooManyStates_reverts() public {
        // attack: the submitter posts more states than the cut has inner positions (more parts than k), to shift the
        // positions or to make the challenger's answer dearer.
        uint256 d = vmDispute(K, 1000);
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, K));
        postCut(Phase.VM, submitter, d, made(K, "long"));
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, 64));
        postCut(Phase.VM, submitter, d, made(64, "much longer"));
        assertEq(uint8(game.dispute(d).next), uint8(Move.PostVMState), "nothing was posted");
    }

    function test_attack_postFullCutNearConvergence_reverts() public {
        // attack: on an interval shorter than k, the submitter posts a full cut of k - 1 states (two of them would
        // share a position, or lie outside the interval).
        uint256 d = vmDispute(16, 50);
        bytes32[] memory s = made(15, "first cut");
        postCut(Phase.VM, submitter, d, s);
        answerCut(Phase.VM, challenger, d, 0); // [0, 3]
        DisputeView memory v = game.dispute(d);
        assertEq(v.hi - v.lo, 3);
        assertEq(v.parts, 3);
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, 2, 15));
        postCut(Phase.VM, submitter, d, made(15, "a full cut"));
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, 2, 3));
        postCut(Phase.VM, submitter, d, made(3, "one too many"));
    }

    function test_attack_resupplyOtherStates_reverts() public {
        // attack: the challenger answers on a list with one state of its own choosing, so that the end it moves
        // takes a hash the submitter never posted.
        (uint256 d, bytes32[] memory s) = postedOnFreshDispute();
        bytes32[] memory t = Tracer.copy(s);
        t[3] = keccak256("the challenger's own state");
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        respondWith(d, 4, t);
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        respondWith(d, 3, t);
    }

    function test_attack_resupplyReorderedStates_reverts() public {
        // attack: the challenger resupplies the posted states in another order, moving a state the submitter posted
        // for one position onto another.
        (uint256 d, bytes32[] memory s) = postedOnFreshDispute();
        bytes32[] memory t = Tracer.copy(s);
        (t[0], t[K - 2]) = (t[K - 2], t[0]);
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        respondWith(d, 0, t);
        // Reversed.
        for (uint256 i = 0; i < s.length; i++) {
            t[i] = s[s.length - 1 - i];
        }
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        respondWith(d, 1, t);
    }

    function test_attack_resupplyTruncatedOrExtendedStates_reverts() public {
        // attack: the challenger resupplies fewer states than were posted (so the cut would seem to have fewer, longer
        // parts) or more (more, shorter parts): the parts' positions would no longer be the posted ones.
        (uint256 d, bytes32[] memory s) = postedOnFreshDispute();
        bytes32[] memory shorter = new bytes32[](s.length - 1);
        for (uint256 i = 0; i < shorter.length; i++) {
            shorter[i] = s[i];
        }
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(shorter)));
        respondWith(d, 2, shorter);
        vm.expectRevert(
            abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(new bytes32[](0)))
        );
        respondWith(d, 0, new bytes32[](0));
        bytes32[] memory longer = new bytes32[](s.length + 1);
        for (uint256 i = 0; i < s.length; i++) {
            longer[i] = s[i];
        }
        longer[s.length] = keccak256("one more");
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(longer)));
        respondWith(d, K, longer);
    }

    function test_attack_resupplyEarlierRoundsStates_reverts() public {
        // attack: the challenger answers the second post with the first post's states (which the game once accepted).
        (uint256 d, bytes32[] memory s1) = postedOnFreshDispute();
        answerCut(Phase.VM, challenger, d, 3);
        bytes32[] memory s2 = made(K - 1, "second post");
        postCut(Phase.VM, submitter, d, s2);
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s2), Cuts.hashOf(s1)));
        respondWith(d, 3, s1);
        respondWith(d, 3, s2);
    }

    function test_attack_partOutOfRange_reverts(uint256 part) public {
        // attack: the challenger names a part the cut does not have, hoping for an interval past hi (or an empty one).
        (uint256 d, bytes32[] memory s) = postedOnFreshDispute();
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, K, K));
        respondWith(d, K, s);
        part = bound(part, K, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, part, K));
        respondWith(d, part, s);
        // The last part in range goes through: agreeing with every posted state.
        respondWith(d, K - 1, s);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, Cuts.position(0, 1000, K, K - 1));
        assertEq(v.hi, 1000);
        assertEq(v.loHash, s[K - 2]);
    }

    function test_attack_partOutOfRangeNearConvergence_reverts() public {
        // attack: where the cut has fewer parts than k, the challenger names a part that a full cut would have.
        uint256 d = vmDispute(16, 3);
        assertEq(game.dispute(d).parts, 3);
        bytes32[] memory s = made(2, "two states");
        postCut(Phase.VM, submitter, d, s);
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, 3, 3));
        respondWith(d, 3, s);
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, 15, 3));
        respondWith(d, 15, s);
    }

    function test_attack_graphPhaseCountResupplyAndPart_reverts() public {
        // attack: the same three in the graph phase (the moves share their checks across phases): a short post, an
        // answer on a made-up list, a part past the cut.
        useArity(K);
        uint256 d = disputeWithNodes(100);
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, K - 1, K));
        postCut(Phase.Graph, submitter, d, made(K, "graph, long"));
        bytes32[] memory s = made(K - 1, "graph");
        postCut(Phase.Graph, submitter, d, s);
        bytes32[] memory t = Tracer.copy(s);
        t[K - 2] = keccak256("the challenger's S");
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        vm.prank(challenger);
        game.respondGraph(d, K - 1, t);
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, K, K));
        answerCut(Phase.Graph, challenger, d, K);
        answerCut(Phase.Graph, challenger, d, 2);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, Cuts.position(0, 100, K, 2));
        assertEq(v.hi, Cuts.position(0, 100, K, 3));
        assertEq(v.loHash, s[1]);
        assertEq(v.hiHash, s[2]);
    }

    // ======================================================================================================
    // The cut
    // ======================================================================================================

    /// @dev k = 2 is the bisection the game had: one state per post, at floor((lo + hi) / 2); agreeing (part 1) moves
    ///      lo up to it, disagreeing (part 0) moves hi down to it.
    function test_binaryGame_positionsAsTheOldMidpoint_succeeds(uint64 steps, uint256 answers) public {
        steps = uint64(bound(steps, 2, 1 << 40));
        uint256 d = vmDispute(2, steps);
        uint256 rounds;
        while (game.dispute(d).next == Move.PostVMState) {
            DisputeView memory v = game.dispute(d);
            assertEq(v.parts, 2, "one state per post");
            uint64 mid = v.lo + (v.hi - v.lo) / 2;
            bytes32 h = keccak256(abi.encode("at", mid));
            vm.expectEmit(address(game));
            emit DisputeGame.StatesPosted(d, Phase.VM, v.lo, v.hi, one(h));
            postCut(Phase.VM, submitter, d, one(h));
            bool agree = (answers >> (rounds % 256)) & 1 == 1;
            (uint64 lo, uint64 hi) = agree ? (mid, v.hi) : (v.lo, mid);
            vm.expectEmit(address(game));
            emit DisputeGame.Responded(d, Phase.VM, Cuts.binary(agree), lo, hi);
            answerCut(Phase.VM, challenger, d, Cuts.binary(agree));
            DisputeView memory a = game.dispute(d);
            assertEq(a.lo, lo);
            assertEq(a.hi, hi);
            assertEq(agree ? a.loHash : a.hiHash, h, "the posted state is the moved end's");
            rounds++;
        }
        assertLe(rounds, Cuts.ceilLog(steps, 2));
    }

    function test_nearConvergence_cutHasMinOfArityAndLengthParts_succeeds() public {
        // k = 16 over 50 steps: 16 parts of 3 or 4 steps; then the part [0, 3] is cut in 3 (2 states), then done.
        uint256 d = vmDispute(16, 50);
        DisputeView memory v = game.dispute(d);
        assertEq(v.parts, 16);
        bytes32[] memory s = made(15, "first cut");
        postCut(Phase.VM, submitter, d, s);
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(d, Phase.VM, 0, 0, 3);
        answerCut(Phase.VM, challenger, d, 0);
        v = game.dispute(d);
        assertEq(v.parts, 3, "min(16, 3)");
        assertEq(v.hiHash, s[0]);
        bytes32[] memory s2 = made(2, "second cut");
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(d, Phase.VM, 0, 3, s2);
        postCut(Phase.VM, submitter, d, s2);
        assertEq(game.dispute(d).postedHash, Cuts.hashOf(s2));
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(d, Phase.VM, 1, 1, 2);
        answerCut(Phase.VM, challenger, d, 1);
        v = game.dispute(d);
        assertEq(v.lo, 1, "positions 1 and 2: every part one step");
        assertEq(v.hi, 2);
        assertEq(v.loHash, s2[0]);
        assertEq(v.hiHash, s2[1]);
        assertEq(v.parts, 1, "converged");
        assertEq(v.postedHash, 0, "nothing to answer");
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
    }

    /// forge-config: default.fuzz.runs = 64
    function test_parts_minOfArityAndLength_succeeds(uint256 k, uint64 steps) public {
        k = bound(k, 2, 64);
        steps = uint64(bound(steps, 2, 200));
        uint256 d = vmDispute(k, steps);
        DisputeView memory v = game.dispute(d);
        uint256 n = steps < k ? steps : k;
        assertEq(v.parts, n);
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(d, Phase.VM, 0, steps, made(n - 1, "cut"));
        postCut(Phase.VM, submitter, d, made(n - 1, "cut"));
    }

    /// @dev Any k, any run length up to the registration bound 2^40, any parts named: the VM dissection converges
    ///      within ceil(log_k steps) rounds, each answer's interval the named part of the cut.
    /// forge-config: default.fuzz.runs = 64
    function test_vmDissection_convergesWithinCeilLogK_succeeds(uint256 k, uint64 steps, uint256 seed) public {
        k = bound(k, 2, 64);
        steps = uint64(bound(steps, 2, 1 << 40));
        uint256 d = vmDispute(k, steps);
        uint256 rounds;
        while (game.dispute(d).next == Move.PostVMState) {
            DisputeView memory v = game.dispute(d);
            postCut(Phase.VM, submitter, d, made(v.parts - 1, string(abi.encode(rounds))));
            uint256 part = uint256(keccak256(abi.encode(seed, rounds))) % v.parts;
            answerCut(Phase.VM, challenger, d, part);
            DisputeView memory a = game.dispute(d);
            assertEq(a.lo, Cuts.position(v.lo, v.hi, v.parts, part));
            assertEq(a.hi, Cuts.position(v.lo, v.hi, v.parts, part + 1));
            rounds++;
        }
        DisputeView memory f = game.dispute(d);
        assertEq(uint8(f.next), uint8(Move.ResolveStep));
        assertEq(f.hi, f.lo + 1);
        assertLe(rounds, Cuts.ceilLog(steps, k));
    }

    /// @dev The same over the nodes of models of up to 300 nodes, in the graph phase.
    /// forge-config: default.fuzz.runs = 32
    function test_graphDissection_convergesWithinCeilLogK_succeeds(uint256 k, uint32 n, uint256 seed) public {
        k = bound(k, 2, 64);
        n = uint32(bound(n, 1, 300));
        useArity(k);
        uint256 d = disputeWithNodes(n);
        uint256 rounds;
        while (game.dispute(d).next == Move.PostGraphState) {
            DisputeView memory v = game.dispute(d);
            postCut(Phase.Graph, submitter, d, made(v.parts - 1, string(abi.encode(rounds))));
            answerCut(Phase.Graph, challenger, d, uint256(keccak256(abi.encode(seed, rounds))) % v.parts);
            rounds++;
        }
        DisputeView memory f = game.dispute(d);
        assertEq(uint8(f.next), uint8(Move.StartVM));
        assertEq(f.hi, f.lo + 1);
        assertLe(f.hi, n);
        assertLe(rounds, Cuts.ceilLog(n, k));
    }

    // ======================================================================================================
    // The honest side wins, at every arity
    // ======================================================================================================

    /// @dev One phase's dissection with an honest submitter, posting `story` (one hash per position), and a lying
    ///      challenger that names parts at random (seeded). Checks each new interval against the cut. Returns the
    ///      rounds.
    function playRandom(uint256 d, Phase phase, bytes32[] memory story, uint256 seed)
        internal
        returns (uint256 rounds)
    {
        Move post = postMove(phase);
        while (game.dispute(d).next == post) {
            DisputeView memory v = game.dispute(d);
            postCut(phase, v.submitter, d, Cuts.pick(story, v.lo, v.hi, v.parts));
            uint256 part = uint256(keccak256(abi.encode(seed, phase, rounds))) % v.parts;
            answerCut(phase, v.challenger, d, part);
            DisputeView memory a = game.dispute(d);
            assertEq(a.lo, Cuts.position(v.lo, v.hi, v.parts, part));
            assertEq(a.hi, Cuts.position(v.lo, v.hi, v.parts, part + 1));
            rounds++;
        }
    }

    function assertRuled(uint256 d, Side winner) internal view {
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.Resolved), "resolved");
        assertEq(uint8(v.winner), uint8(winner), "the honest side won");
        assertEq(uint8(v.reason), uint8(Reason.Step), "by the judge");
    }

    /// @dev A liar submits the 5-node chain with node `lieNode`'s output off by one (later nodes computed from it).
    ///      The honest challenger names the first part whose end is untrue, in both phases; the liar proves a
    ///      transition whose final state is forged to hold its output, and in the VM phase posts garbage at
    ///      seeded steps besides. The graph phase finds the lie's node, the VM phase a step whose claimed result the
    ///      judge refutes, each within ceil(log_k len) rounds, at every k.
    /// forge-config: default.fuzz.runs = 48
    function test_honestWins_liarSubmitterVsHonestChallenger_succeeds(uint256 kPick, uint256 lieNode, uint256 seed)
        public
    {
        uint256 k = arityOf(kPick);
        useArity(k);
        uint256 j = bound(lieNode, 0, NODES - 1);
        (Toy memory t, uint256 id, uint256 d, bytes32[] memory lie) = liarToNode(k, j);
        (bytes32[] memory code, bytes32[] memory mem, bytes32[] memory claimed, bytes32[] memory honest) =
            liarStartsVM(t, d, j, lie, seed);
        uint256 vmRounds = playVM(d, claimed, honest);
        assertLe(vmRounds, Cuts.ceilLog(ToyModels.ADD_STEPS, k), "VM rounds <= ceil(log_k steps)");
        resolveWithTruth(d, code, mem, challenger);
        assertRuled(d, Side.Challenger);
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
    }

    /// @dev The honest submitter of the 5-node chain against a challenger that names parts at random (seeded) in
    ///      both phases: wherever the dissection lands, the submitter proves the node's transition and the judge
    ///      upholds its claim at the step, within ceil(log_k len) rounds per phase, at every k.
    /// forge-config: default.fuzz.runs = 48
    function test_honestWins_honestSubmitterVsLyingChallenger_succeeds(uint256 kPick, uint256 seed) public {
        uint256 k = arityOf(kPick);
        useArity(k);
        Toy memory t = registerChain(NODES, false);
        bytes32[] memory truth = ToyModels.chainWorld(input8(-3), NODES, false, false, 0);
        uint256 d;
        {
            int32[8][] memory tensors = ToyModels.chainTensors(input8(-3), NODES, false, false, 0);
            d = challengeAs(submitWorld(t, tensors, truth, tensors[NODES], submitter, MIN_BOND), challenger);
        }
        assertLe(playRandom(d, Phase.Graph, graphStates(truth, 1), seed), Cuts.ceilLog(NODES, k), "graph rounds");

        uint256 j = game.dispute(d).lo;
        bytes32[] memory code = ToyModels.chainCode(j, false);
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(t, j, truth, code);
        vm.prank(submitter);
        game.startVM(d, tp);
        bytes32[] memory trace = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS);
        assertLe(playRandom(d, Phase.VM, trace, seed), Cuts.ceilLog(ToyModels.ADD_STEPS, k), "VM rounds");
        // A lying challenger would not resolve a step it loses: the honest submitter does (anyone may).
        resolveWithTruth(d, code, mem, submitter);
        assertRuled(d, Side.Submitter);
        assertEq(game.credits(submitter), CHALLENGE_BOND, "the lying challenger's bond");
    }

    /// @dev The same for a tiled node of m tiles (node 0 of a two-node model), the tile phase between the two:
    ///      a liar in tile `lieTile` against the honest challenger.
    /// forge-config: default.fuzz.runs = 24
    function test_honestWins_tiledLiarVsHonestChallenger_succeeds(uint256 kPick, uint256 m, uint256 lieTile) public {
        uint256 k = arityOf(kPick);
        useArity(k);
        m = bound(m, 2, 9);
        uint256 i = bound(lieTile, 0, m - 1);
        Tiled memory s = startTiled(m, true, i);
        assertEq(game.dispute(s.d).lo, 0, "the graph phase finds the tiled node");

        vm.prank(submitter);
        game.startTiles(s.d, TiledToys.entry(s.toy.specs, 0, s.world, 1, s.sigma[m]));
        uint256 tileRounds = playCuts(s.d, Phase.Tile, TiledToys.roots(s.sigma), s.trueSigma);
        assertLe(tileRounds, Cuts.ceilLog(m, k), "tile rounds <= ceil(log_k m)");
        assertEq(game.dispute(s.d).lo, i, "the tile phase finds the tile it lied in");

        vm.prank(submitter);
        game.startTileVM(s.d, TiledToys.tileVM(m, i, s.sigma[i], s.finals[i]));
        bytes32[] memory mu = TiledToys.mu(s.sigma[i], i);
        bytes32[] memory real = Tracer.hashes(judge, TiledToys.tileCode(i), mu, TiledToys.TILE_STEPS);
        uint256 vmRounds = playVM(s.d, TiledToys.claimedTrace(judge, s.sigma[i], i, s.finals[i]), real);
        assertLe(vmRounds, Cuts.ceilLog(TiledToys.TILE_STEPS, k), "VM rounds <= ceil(log_k steps)");
        resolveTile(s.d, i, mu, challenger);
        assertRuled(s.d, Side.Challenger);
    }

    /// @dev The honest submitter of a tiled node against a challenger that disputes S_1 (so the tiled node) and then
    ///      names parts at random in the tile and VM phases.
    /// forge-config: default.fuzz.runs = 24
    function test_honestWins_tiledHonestVsLyingChallenger_succeeds(uint256 kPick, uint256 m, uint256 seed) public {
        uint256 k = arityOf(kPick);
        useArity(k);
        m = bound(m, 2, 9);
        Tiled memory s = startTiled(m, false, 0);

        vm.prank(submitter);
        game.startTiles(s.d, TiledToys.entry(s.toy.specs, 0, s.world, 1, s.sigma[m]));
        uint256 tileRounds = playRandom(s.d, Phase.Tile, s.trueSigma, seed);
        assertLe(tileRounds, Cuts.ceilLog(m, k), "tile rounds <= ceil(log_k m)");
        uint256 i = game.dispute(s.d).lo;

        vm.prank(submitter);
        game.startTileVM(s.d, TiledToys.tileVM(m, i, s.sigma[i], s.finals[i]));
        bytes32[] memory mu = TiledToys.mu(s.sigma[i], i);
        bytes32[] memory real = Tracer.hashes(judge, TiledToys.tileCode(i), mu, TiledToys.TILE_STEPS);
        uint256 vmRounds = playRandom(s.d, Phase.VM, real, seed);
        assertLe(vmRounds, Cuts.ceilLog(TiledToys.TILE_STEPS, k), "VM rounds <= ceil(log_k steps)");
        resolveTile(s.d, i, mu, submitter);
        assertRuled(s.d, Side.Submitter);
    }

    // ------------------------------------------------------------------------------------------------------
    // Helpers of the honest-wins properties
    // ------------------------------------------------------------------------------------------------------

    /// @dev The liar of the 5-node chain (node j off by one) submits, is challenged, and the graph phase is played
    ///      by the honest challenger: it lands on node j within ceil(log_k n) rounds. Returns the liar's world.
    function liarToNode(uint256 k, uint256 j)
        internal
        returns (Toy memory t, uint256 id, uint256 d, bytes32[] memory lie)
    {
        t = registerChain(NODES, false);
        int32[8] memory x = input8(4);
        bytes32[] memory truth = ToyModels.chainWorld(x, NODES, false, false, 0);
        int32[8][] memory lieTensors = ToyModels.chainTensors(x, NODES, false, true, j);
        lie = ToyModels.rootsOf(lieTensors);
        id = submitWorld(t, lieTensors, lie, lieTensors[NODES], submitter, MIN_BOND);
        d = challengeAs(id, challenger);
        uint256 graphRounds = playGraph(d, lie, truth, 1);
        assertLe(graphRounds, Cuts.ceilLog(NODES, k), "graph rounds <= ceil(log_k n)");
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, j, "the first node in dispute is the one that lied");
        assertEq(v.hi, j + 1);
    }

    /// @dev The liar's transition into node j: the node's true run on the agreed input, its final memory forged to
    ///      hold the lie. Returns the node's code and initial memory, the liar's VM claims (the true trace, the
    ///      forged final state, garbage at about a third of the inner steps by `seed`) and the true trace.
    function liarStartsVM(Toy memory t, uint256 d, uint256 j, bytes32[] memory lie, uint256 seed)
        internal
        returns (bytes32[] memory code, bytes32[] memory mem, bytes32[] memory claimed, bytes32[] memory honest)
    {
        (code, mem, honest, claimed) = liarTransition(t, d, j, lie);
        for (uint256 s = 1; s < ToyModels.ADD_STEPS; s++) {
            if (uint256(keccak256(abi.encode(seed, s))) % 3 == 0) claimed[s] = keccak256(abi.encode("garbage", s));
        }
    }

    /// @dev A tiled dispute: the model (node 0 tiled with m tiles, node 1 the chain's node 1), the submitter's world
    ///      and tile states (sigma_0 .. sigma_m, each a 3-leaf memory prefix) and each tile's final VM state, the
    ///      true tile states' roots.
    struct Tiled {
        Toy toy;
        bytes32[] world;
        bytes32[][] sigma;
        VMState[] finals;
        bytes32[] trueSigma;
        uint256 d;
    }

    /// @dev Registers the m-tile model, submits (honest, or lying in tile `lieTile`), challenges, and plays the graph
    ///      phase to node 0: the honest challenger does so by the truth, against the honest submitter the challenger
    ///      disputes S_1.
    function startTiled(uint256 m, bool lie, uint256 lieTile) internal returns (Tiled memory s) {
        NodeSpec[] memory specs = new NodeSpec[](2);
        specs[0] = TiledToys.spec(m, 0);
        specs[1] = ToyModels.chainSpec(1, false);
        s.toy = registerSpecs(specs, 1);
        int32[8][] memory t = new int32[8][](3);
        t[0] = input8(6);
        t[1] = TiledToys.output(t[0], m);
        bytes32[] memory truth;
        {
            int32[8][] memory honest = new int32[8][](3);
            honest[0] = t[0];
            honest[1] = t[1];
            honest[2] = ToyModels.add8(t[1], 2);
            truth = ToyModels.rootsOf(honest);
        }
        if (lie) t[1][0] = t[1][0] + 1;
        t[2] = ToyModels.add8(t[1], 2);
        s.world = ToyModels.rootsOf(t);
        (s.sigma, s.finals) = TiledToys.run(judge, s.world[0], m, lie, lieTile);
        (bytes32[][] memory trueSigma,) = TiledToys.run(judge, s.world[0], m, false, 0);
        s.trueSigma = TiledToys.roots(trueSigma);
        assertEq(s.sigma[m][TiledToys.OUT_LEAF], s.world[1], "the tile states end in the claimed output");
        s.d = challengeAs(submitWorld(s.toy, t, s.world, t[2], submitter, MIN_BOND), challenger);
        if (lie) {
            playGraph(s.d, s.world, truth, 1);
        } else {
            postCut(Phase.Graph, submitter, s.d, Cuts.pick(graphStates(s.world, 1), 0, 2, 2));
            answerCut(Phase.Graph, challenger, s.d, 0);
        }
        DisputeView memory v = game.dispute(s.d);
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
    }

    /// @dev resolveStep by `who` from the true state at lo of tile i's run from mu_i.
    function resolveTile(uint256 d, uint256 i, bytes32[] memory mu, address who) internal {
        (VMState memory pre, StepProof memory proof) =
            Tracer.stateAt(judge, TiledToys.tileCode(i), mu, game.dispute(d).lo);
        vm.prank(who);
        game.resolveStep(d, pre, proof);
    }
}
