// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, StepProof, hashState, MEM_DEPTH, STATUS_RUNNING, STATUS_HALTED} from "../src/VMTypes.sol";
import {BadProofLength} from "../src/VMErrors.sol";
import {NodeSpec, TileSpec} from "../src/ModelTypes.sol";
import {Side} from "../src/Clock.sol";
import {
    SubmissionStatus,
    Phase,
    Reason,
    Move,
    DisputeView,
    TransitionProof,
    TileEntryProof,
    TileVMProof
} from "../src/GameTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {TiledToys} from "./utils/TiledToys.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice Tiled nodes in the game (docs/GAME.md, "Tiled nodes"): the third level (node -> tiles -> steps), over a
///         tiny real model whose every VM state comes from running the tiles' programs through the real judge.
///         The model: one 8-word input; node 0 tiled (TiledToys: m tiles, out = in + W_0 + ... + W_{m-1}); node 1
///         the chain's untiled node 1 (reads slot 1, adds 2). Attacks first, then the happy paths to a ruling for
///         an honest submitter and an honest challenger, then one revert test per check of the new moves.
contract DisputeGameTilesTest is GameFixture {
    /// @dev Everything about one tiled dispute: the model, the submitter's world and tile states, the truth.
    struct Tiled {
        Toy toy;
        uint256 m;
        int32[8] x;
        bytes32[] world; // the submitter's slot roots
        bytes32[] truth; // the honest slot roots
        bytes32[][] sigma; // the submitter's tile states (3-leaf memory prefixes), sigma_0 .. sigma_m
        VMState[] finals; // the submitter's final VM state of each tile
        bytes32[] trueSigma; // the honest tile states' roots
        uint256 id;
        uint256 d;
    }

    uint256 internal constant NO_LIE = type(uint256).max;

    // ======================================================================================================
    // Setup
    // ======================================================================================================

    function tiledSpecs(uint256 m) internal pure returns (NodeSpec[] memory specs) {
        specs = new NodeSpec[](2);
        specs[0] = TiledToys.spec(m, 0);
        specs[1] = ToyModels.chainSpec(1, false);
    }

    /// @dev The slot tensors: x, node 0's output (word 0 one higher from tile `lieTile` on when it lies), node 1's.
    function tensors(int32[8] memory x, uint256 m, uint256 lieTile) internal pure returns (int32[8][] memory t) {
        t = new int32[8][](3);
        t[0] = x;
        t[1] = TiledToys.output(x, m);
        if (lieTile != NO_LIE) t[1][0] = t[1][0] + 1;
        t[2] = ToyModels.add8(t[1], 2);
    }

    /// @dev Registers the m-tile model, submits the submitter's world (honest, or lying in tile `lieTile` of node 0)
    ///      and challenges it. The graph phase is played: the challenger agrees with S_1 iff it is true.
    function start(uint256 m, uint256 lieTile) internal returns (Tiled memory s) {
        s.toy = registerSpecs(tiledSpecs(m), 1);
        s.m = m;
        s.x = input8(4);
        int32[8][] memory t = tensors(s.x, m, lieTile);
        s.world = ToyModels.rootsOf(t);
        s.truth = ToyModels.rootsOf(tensors(s.x, m, NO_LIE));
        (s.sigma, s.finals) = TiledToys.run(judge, s.world[0], m, lieTile != NO_LIE, lieTile == NO_LIE ? 0 : lieTile);
        (bytes32[][] memory trueSigma,) = TiledToys.run(judge, s.world[0], m, false, 0);
        s.trueSigma = TiledToys.roots(trueSigma);
        assertEq(s.sigma[m][TiledToys.OUT_LEAF], s.world[1], "the tile states end in the claimed output");
        s.id = submitWorld(s.toy, t, s.world, t[2], submitter, MIN_BOND);
        s.d = challengeAs(s.id, challenger);
        playGraph(s.d, s.world, s.truth, 1);
    }

    /// @dev As start, with the graph bisection forced onto node 0 (the challenger disagrees with S_1).
    function atNode0(uint256 m, uint256 lieTile) internal returns (Tiled memory s) {
        s.toy = registerSpecs(tiledSpecs(m), 1);
        s.m = m;
        s.x = input8(4);
        int32[8][] memory t = tensors(s.x, m, lieTile);
        s.world = ToyModels.rootsOf(t);
        s.truth = ToyModels.rootsOf(tensors(s.x, m, NO_LIE));
        (s.sigma, s.finals) = TiledToys.run(judge, s.world[0], m, lieTile != NO_LIE, lieTile == NO_LIE ? 0 : lieTile);
        (bytes32[][] memory trueSigma,) = TiledToys.run(judge, s.world[0], m, false, 0);
        s.trueSigma = TiledToys.roots(trueSigma);
        s.id = submitWorld(s.toy, t, s.world, t[2], submitter, MIN_BOND);
        s.d = challengeAs(s.id, challenger);
        postCut(Phase.Graph, submitter, s.d, one(ToyModels.graphState(s.world, 2)));
        answerCut(Phase.Graph, challenger, s.d, Cuts.DISAGREE);
        DisputeView memory v = game.dispute(s.d);
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
        assertEq(uint8(v.next), uint8(Move.StartVM), "the transition into node 0: startTiles, by its spec");
    }

    function entryOf(Tiled memory s) internal pure returns (TileEntryProof memory) {
        return TiledToys.entry(s.toy.specs, 0, s.world, 1, s.sigma[s.m]);
    }

    function startTiles(Tiled memory s) internal {
        TileEntryProof memory e = entryOf(s);
        vm.prank(submitter);
        game.startTiles(s.d, e);
    }

    /// @dev Tile dissection: the submitter posts its tile states at the cut's inner positions, the challenger names
    ///      the first part whose end is untrue when `honest`, else the last part (`agreeAll`) or the first.
    function playTiles(Tiled memory s, bool honest, bool agreeAll) internal returns (uint256 rounds) {
        bytes32[] memory claimed = TiledToys.roots(s.sigma);
        while (game.dispute(s.d).next == Move.PostTileState) {
            DisputeView memory v = game.dispute(s.d);
            bytes32[] memory states = Cuts.pick(claimed, v.lo, v.hi, v.parts);
            postCut(Phase.Tile, submitter, s.d, states);
            v = game.dispute(s.d);
            assertEq(uint8(v.next), uint8(Move.RespondTile));
            assertEq(v.postedHash, Cuts.hashOf(states), "the posted tile states' hash is shown while they await");
            uint256 part = honest
                ? Cuts.firstWrong(states, Cuts.pick(s.trueSigma, v.lo, v.hi, v.parts))
                : (agreeAll ? states.length : 0);
            answerCut(Phase.Tile, challenger, s.d, part);
            rounds++;
        }
    }

    function tileVMOf(Tiled memory s, uint256 i) internal pure returns (TileVMProof memory) {
        return TiledToys.tileVM(s.m, i, s.sigma[i], s.finals[i]);
    }

    function startTileVM(Tiled memory s) internal returns (uint256 i) {
        i = game.dispute(s.d).lo;
        TileVMProof memory p = tileVMOf(s, i);
        vm.prank(submitter);
        game.startTileVM(s.d, p);
    }

    /// @dev The VM phase of tile i: the submitter posts its claimed trace, the challenger agrees iff it is true
    ///      (honest) or never; then resolveStep from the state at lo of tile i's run from the agreed sigma_i.
    function playTileVMAndResolve(Tiled memory s, uint256 i, bool honest, address resolver) internal {
        bytes32[] memory claimed = TiledToys.claimedTrace(judge, s.sigma[i], i, s.finals[i]);
        bytes32[] memory real =
            Tracer.hashes(judge, TiledToys.tileCode(i), TiledToys.mu(s.sigma[i], i), TiledToys.TILE_STEPS);
        playVM(s.d, claimed, honest ? real : new bytes32[](claimed.length));
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
        (VMState memory pre, StepProof memory proof) =
            Tracer.stateAt(judge, TiledToys.tileCode(i), TiledToys.mu(s.sigma[i], i), v.lo);
        vm.prank(resolver);
        game.resolveStep(s.d, pre, proof);
    }

    function assertRuled(uint256 d, Side winner) internal view {
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.Resolved));
        assertEq(uint8(v.winner), uint8(winner));
        assertEq(uint8(v.reason), uint8(Reason.Step));
    }

    // ======================================================================================================
    // Attacks
    // ======================================================================================================

    function test_attack_finalMemWithoutOutput_reverts() public {
        // A liar claims node 0's output one off but has no tile states ending in it: the honest sigma_m does not hold
        // R at the output region, and neither does a made-up root.
        Tiled memory s = atNode0(3, NO_LIE);
        bytes32[] memory lieWorld = Tracer.copy(s.world);
        lieWorld[1] = TiledToys.bumpWord0(lieWorld[1]);
        TileEntryProof memory e = TiledToys.entry(s.toy.specs, 0, lieWorld, 1, s.sigma[3]);
        // R (the liar's) with the siblings of the honest sigma_3 does not give the honest sigma_3's root.
        e.outRoot = lieWorld[1];
        vm.prank(submitter);
        vm.expectRevert(InvalidOutputProof.selector);
        game.startTiles(s.d, e);
        e.finalMem = keccak256("a sigma_m nobody can open");
        vm.prank(submitter);
        vm.expectRevert(InvalidOutputProof.selector);
        game.startTiles(s.d, e);
    }

    function test_attack_liarWithoutOutput_losesOnTime_succeeds() public {
        // The same liar can only wait: its clock runs out and the challenger wins.
        Tiled memory s = atNode0(3, NO_LIE);
        vm.warp(block.timestamp + CLOCK + INCREMENT);
        game.timeout(s.d);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.winner), uint8(Side.Challenger));
        assertEq(uint8(v.reason), uint8(Reason.Timeout));
    }

    function test_attack_wrongWindowRoot_reverts() public {
        // The window's current root in sigma_i must be the one sigma_i holds: a made-up root, or the right root with
        // the siblings of another state, does not give the agreed sigma_i.
        Tiled memory s = atNode0(3, 1);
        startTiles(s);
        playTiles(s, true, false);
        assertEq(game.dispute(s.d).lo, 1, "the liar's tile is in dispute");
        TileVMProof memory p = tileVMOf(s, 1);
        p.window = keccak256("not the window");
        vm.prank(submitter);
        vm.expectRevert(InvalidWindowProof.selector);
        game.startTileVM(s.d, p);

        p = tileVMOf(s, 1);
        p.windowSiblings = SmallTree.proof(s.sigma[2], TiledToys.WINDOW_LEAF, MEM_DEPTH);
        vm.prank(submitter);
        vm.expectRevert(InvalidWindowProof.selector);
        game.startTileVM(s.d, p);

        // A tile spec with another window root (the next tile's constants) is not the committed tile.
        p = tileVMOf(s, 1);
        p.tile.windowRoot = TiledToys.windowLeaf(2);
        vm.prank(submitter);
        vm.expectRevert(InvalidTileProof.selector);
        game.startTileVM(s.d, p);
    }

    function test_attack_tileProofForWrongIndex_reverts() public {
        // Tile 2's spec with its own valid proof, or tile 0's, presented while tile 1 is in dispute: the index is the
        // game's, never the witness's.
        Tiled memory s = atNode0(3, 1);
        startTiles(s);
        playTiles(s, true, false);
        assertEq(game.dispute(s.d).lo, 1);
        for (uint256 k = 0; k < 3; k += 2) {
            TileVMProof memory p = tileVMOf(s, 1);
            p.tile = TiledToys.tile(k);
            p.tileSiblings = TiledToys.tileSiblings(3, k);
            p.finalState.codeRoot = p.tile.codeRoot;
            vm.prank(submitter);
            vm.expectRevert(InvalidTileProof.selector);
            game.startTileVM(s.d, p);
        }
    }

    function test_attack_finalMemNotNextState_reverts() public {
        // The liar's honest final VM state of tile 1 does not hold its sigma_2: a wrong sigma_{i+1} needs a wrong
        // VM run.
        Tiled memory s = atNode0(3, 1);
        startTiles(s);
        playTiles(s, true, false);
        (bytes32[][] memory trueSigma, VMState[] memory trueFinals) = TiledToys.run(judge, s.world[0], 3, false, 0);
        TileVMProof memory p = tileVMOf(s, 1);
        p.finalState = trueFinals[1];
        bytes32 claimed = TiledToys.root(s.sigma[2]);
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(FinalMemoryMismatch.selector, claimed, TiledToys.root(trueSigma[2]))
        );
        game.startTileVM(s.d, p);
    }

    function test_attack_liarForgesFinalState_challengerWinsByStep_succeeds() public {
        // The liar that forges the final VM state to hold its sigma_{i+1} enters the VM phase and loses at the step.
        for (uint256 lie = 0; lie < 3; lie++) {
            Tiled memory s = atNode0(3, lie);
            startTiles(s);
            playTiles(s, true, false);
            assertEq(startTileVM(s), lie, "the bisection finds the tile it lied in");
            playTileVMAndResolve(s, lie, true, challenger);
            assertRuled(s.d, Side.Challenger);
            assertEq(game.dispute(s.d).lo, TiledToys.TILE_STEPS - 1, "the forged last step");
        }
    }

    function test_attack_startVMOnTiledNode_reverts() public {
        // Node 0 is tiled: startVM refuses its spec, and a made-up untiled spec is not the committed one.
        Tiled memory s = atNode0(2, NO_LIE);
        TransitionProof memory tp;
        tp.spec = s.toy.specs[0];
        tp.nodeSiblings = SmallTree.proof(ToyModels.nodeLeaves(s.toy.specs), 0, 1);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(NodeTiled.selector, 0));
        game.startVM(s.d, tp);
        tp.spec.numTiles = 0;
        tp.spec.codeRoot = TiledToys.tile(0).codeRoot;
        tp.spec.steps = TiledToys.TILE_STEPS;
        vm.prank(submitter);
        vm.expectRevert(InvalidNodeProof.selector);
        game.startVM(s.d, tp);
    }

    function test_attack_startTilesOnUntiledNode_reverts() public {
        // Node 1 is untiled: startTiles refuses it (the liar lies in node 1, so the bisection ends there), and a
        // made-up tiled spec for it is not the committed one.
        Toy memory toy = registerSpecs(tiledSpecs(2), 1);
        int32[8][] memory t = tensors(input8(4), 2, NO_LIE);
        t[2][3] += 1;
        bytes32[] memory world = ToyModels.rootsOf(t);
        uint256 id = submitWorld(toy, t, world, t[2], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        playGraph(d, world, ToyModels.rootsOf(tensors(input8(4), 2, NO_LIE)), 1);
        assertEq(game.dispute(d).lo, 1);
        TileEntryProof memory e;
        e.spec = toy.specs[1];
        e.nodeSiblings = SmallTree.proof(ToyModels.nodeLeaves(toy.specs), 1, 1);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(NodeNotTiled.selector, 1));
        game.startTiles(d, e);
        e.spec = TiledToys.spec(2, 1);
        vm.prank(submitter);
        vm.expectRevert(InvalidNodeProof.selector);
        game.startTiles(d, e);
    }

    function test_attack_oneTile_convergedAtOnce_succeeds() public {
        // numTiles = 1: the tile bisection is [0, 1] from the start; the submitter's next move is startTileVM.
        Tiled memory s = atNode0(1, 0);
        startTiles(s);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.phase), uint8(Phase.Tile));
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
        assertEq(uint8(v.turn), uint8(Side.Submitter));
        assertEq(uint8(v.next), uint8(Move.StartTileVM));
        vm.expectRevert(abi.encodeWithSelector(BisectionConverged.selector, 0, 1));
        postCut(Phase.Tile, submitter, s.d, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(BisectionConverged.selector, 0, 1));
        postCut(Phase.Tile, submitter, s.d, one(keccak256("no inner position")));
        assertEq(startTileVM(s), 0);
        playTileVMAndResolve(s, 0, true, challenger);
        assertRuled(s.d, Side.Challenger);
    }

    function test_attack_tilesBeyondNumTiles_succeeds() public {
        // Three tiles in a depth-2 tree: the bisection spans tile states 0 .. 3 only, and leaf 3 of the tree (zero)
        // holds no tile: a fourth tile's spec, even with a proof that fits the depth, opens nothing.
        Tiled memory s = atNode0(3, 2);
        startTiles(s);
        assertEq(game.dispute(s.d).hi, 3, "the bisection ends at sigma_m, m = numTiles");
        uint256 rounds = playTiles(s, true, false);
        assertEq(rounds, 2);
        DisputeView memory v = game.dispute(s.d);
        assertEq(v.lo, 2);
        assertEq(v.hi, 3);
        TileVMProof memory p = tileVMOf(s, 2);
        p.tile = TiledToys.tile(3);
        p.tileSiblings = SmallTree.proof(TiledToys.tileLeaves(3), 3, 2);
        p.finalState.codeRoot = p.tile.codeRoot;
        vm.prank(submitter);
        vm.expectRevert(InvalidTileProof.selector);
        game.startTileVM(s.d, p);
    }

    // ======================================================================================================
    // Whole disputes to a ruling
    // ======================================================================================================

    function test_endToEnd_honestSubmitter_challengerDisagrees_submitterWins_succeeds() public {
        for (uint256 m = 2; m <= 4; m++) {
            Tiled memory s = atNode0(m, NO_LIE);
            startTiles(s);
            playTiles(s, false, false);
            assertEq(startTileVM(s), 0, "disagreeing with everything leads to tile 0");
            playTileVMAndResolve(s, 0, false, submitter);
            assertRuled(s.d, Side.Submitter);
            assertEq(game.dispute(s.d).lo, 0, "the first step");
        }
    }

    function test_endToEnd_honestSubmitter_challengerAgrees_submitterWins_succeeds() public {
        for (uint256 m = 2; m <= 4; m++) {
            Tiled memory s = atNode0(m, NO_LIE);
            startTiles(s);
            playTiles(s, false, true);
            assertEq(startTileVM(s), m - 1, "agreeing with everything leads to the last tile");
            // Agreeing with every VM state leaves the last step, whose post-state is the submitter's final one.
            bytes32[] memory claimed = TiledToys.claimedTrace(judge, s.sigma[m - 1], m - 1, s.finals[m - 1]);
            playVM(s.d, claimed, claimed);
            DisputeView memory v = game.dispute(s.d);
            assertEq(v.lo, TiledToys.TILE_STEPS - 1);
            (VMState memory pre, StepProof memory proof) =
                Tracer.stateAt(judge, TiledToys.tileCode(m - 1), TiledToys.mu(s.sigma[m - 1], m - 1), v.lo);
            vm.prank(other); // anyone may resolve
            game.resolveStep(s.d, pre, proof);
            assertRuled(s.d, Side.Submitter);
        }
    }

    /// @dev A liar in tile `lie` of an m-tile node against an honest challenger, played by the rules to a ruling.
    function liarLoses(uint256 m, uint256 lie) internal {
        Tiled memory s = start(m, lie);
        assertEq(game.dispute(s.d).lo, 0, "the graph bisection finds node 0");
        startTiles(s);
        playTiles(s, true, false);
        assertEq(startTileVM(s), lie, "the tile bisection finds the tile it lied in");
        playTileVMAndResolve(s, lie, true, challenger);
        assertRuled(s.d, Side.Challenger);
        assertEq(uint8(game.submission(s.id).status), uint8(SubmissionStatus.Rejected));
    }

    function test_endToEnd_liarInEveryTileOfTwo_honestChallengerWins_succeeds() public {
        liarLoses(2, 0);
        liarLoses(2, 1);
    }

    function test_endToEnd_liarInEveryTileOfThree_honestChallengerWins_succeeds() public {
        liarLoses(3, 0);
        liarLoses(3, 1);
        liarLoses(3, 2);
    }

    function test_endToEnd_liarInFirstTilesOfFour_honestChallengerWins_succeeds() public {
        liarLoses(4, 0);
        liarLoses(4, 1);
    }

    function test_endToEnd_liarInLastTilesOfFour_honestChallengerWins_succeeds() public {
        liarLoses(4, 2);
        liarLoses(4, 3);
    }

    function test_endToEnd_fullDispute_bondsAndEvents_succeeds() public {
        // A 4-tile liar at tile 2, played by the rules end to end: every level's events, the view at each level, the
        // bonds.
        Tiled memory s = start(4, 2);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.next), uint8(Move.StartVM));
        assertEq(v.numTiles, 0);
        TileEntryProof memory e = entryOf(s);
        vm.expectEmit(address(game));
        emit DisputeGame.TilesStarted(s.d, 0, 4, TiledToys.root(s.sigma[0]), TiledToys.root(s.sigma[4]));
        vm.prank(submitter);
        game.startTiles(s.d, e);
        v = game.dispute(s.d);
        assertEq(uint8(v.phase), uint8(Phase.Tile));
        assertEq(uint8(v.next), uint8(Move.PostTileState));
        assertEq(v.node, 0);
        assertEq(v.numTiles, 4);
        assertEq(v.lo, 0);
        assertEq(v.hi, 4);
        assertEq(v.parts, 2);
        assertEq(Cuts.position(v.lo, v.hi, v.parts, 1), 2, "the first post is sigma_2");
        assertEq(v.loHash, s.trueSigma[0], "sigma_0 is composed on-chain from the agreed input");
        assertEq(v.postedHash, 0, "no posted state to answer yet");

        bytes32[] memory claimed = TiledToys.roots(s.sigma);
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(s.d, Phase.Tile, 0, 4, one(claimed[2]));
        postCut(Phase.Tile, submitter, s.d, one(claimed[2]));
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(s.d, Phase.Tile, Cuts.AGREE, 2, 4);
        answerCut(Phase.Tile, challenger, s.d, Cuts.AGREE);
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(s.d, Phase.Tile, 2, 4, one(claimed[3]));
        postCut(Phase.Tile, submitter, s.d, one(claimed[3]));
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(s.d, Phase.Tile, Cuts.DISAGREE, 2, 3);
        answerCut(Phase.Tile, challenger, s.d, Cuts.DISAGREE);
        v = game.dispute(s.d);
        assertEq(uint8(v.next), uint8(Move.StartTileVM));

        TileVMProof memory p = tileVMOf(s, 2);
        bytes32 initial = hashState(Tracer.initial(TiledToys.tileCode(2), TiledToys.mu(s.sigma[2], 2)));
        vm.expectEmit(address(game));
        emit DisputeGame.TileVMStarted(s.d, 2, TiledToys.TILE_STEPS, initial, hashState(s.finals[2]));
        vm.prank(submitter);
        game.startTileVM(s.d, p);
        v = game.dispute(s.d);
        assertEq(uint8(v.phase), uint8(Phase.VM));
        assertEq(uint8(v.next), uint8(Move.PostVMState));
        assertEq(v.node, 0);
        assertEq(v.tile, 2);
        assertEq(v.numTiles, 4);
        assertEq(v.hi, TiledToys.TILE_STEPS);
        assertEq(v.loHash, initial, "mu_2 computed on-chain from sigma_2 and tile 2's window");

        playTileVMAndResolve(s, 2, true, challenger);
        assertRuled(s.d, Side.Challenger);
        assertEq(game.credits(challenger), CHALLENGE_BOND);
        game.settle(s.d);
        assertEq(game.credits(challenger), CHALLENGE_BOND + MIN_BOND / 2);
        assertEq(game.burned(), MIN_BOND / 2);
    }

    function test_endToEnd_tileWithOneStep_challengerToResolve_succeeds() public {
        // A tile of one step (HALT) hands the turn straight to the challenger (resolveStep), as a one-step node does.
        NodeSpec[] memory specs = tiledSpecs(1);
        bytes32[] memory halt = new bytes32[](1);
        halt[0] = Asm.halt();
        TileSpec memory t = TileSpec({codeRoot: SmallTree.root(halt, 16), steps: 1, windowRoot: 0});
        specs[0].tilesRoot = keccak256(abi.encode(t));
        Toy memory toy = registerSpecs(specs, 1);
        // The node's output stays zero (the tile writes nothing); node 1 adds 2.
        int32[8][] memory ts = new int32[8][](3);
        ts[0] = input8(1);
        ts[2] = ToyModels.add8(ts[1], 2);
        bytes32[] memory world = ToyModels.rootsOf(ts);
        uint256 id = submitWorld(toy, ts, world, ts[2], submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        postCut(Phase.Graph, submitter, d, one(ToyModels.graphState(world, 2)));
        answerCut(Phase.Graph, challenger, d, Cuts.DISAGREE);
        bytes32[] memory sigma0 = new bytes32[](3);
        sigma0[0] = world[0];
        TileEntryProof memory e = TiledToys.entry(toy.specs, 0, world, 1, sigma0);
        vm.prank(submitter);
        game.startTiles(d, e);
        (VMState memory fin,) = Tracer.finish(judge, halt, sigma0, 1);
        TileVMProof memory p;
        p.tile = t;
        p.window = 0;
        p.windowSiblings = SmallTree.proof(sigma0, TiledToys.WINDOW_LEAF, MEM_DEPTH);
        p.finalState = fin;
        vm.prank(submitter);
        game.startTileVM(d, p);
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.turn), uint8(Side.Challenger));
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, halt, sigma0, 0);
        vm.prank(challenger);
        game.resolveStep(d, pre, proof);
        assertRuled(d, Side.Submitter);
    }

    // ======================================================================================================
    // Clocks: every new move earns the increment; timeouts in the tile phase
    // ======================================================================================================

    function test_clock_tileMovesEarnIncrement_succeeds() public {
        Tiled memory s = atNode0(4, 1);
        uint64 before = game.dispute(s.d).submitterClock;
        vm.warp(block.timestamp + 2000);
        startTiles(s);
        DisputeView memory v = game.dispute(s.d);
        // The submitter moves again (it posts next): its clock was debited 2000 s and credited the increment.
        assertEq(v.submitterClock, before - 2000 + INCREMENT);
        vm.warp(block.timestamp + 50);
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[2])));
        v = game.dispute(s.d);
        assertEq(v.submitterClock, before - 2000 + INCREMENT - 50 + INCREMENT);
        uint64 chBefore = v.challengerClock;
        vm.warp(block.timestamp + 1000);
        answerCut(Phase.Tile, challenger, s.d, Cuts.DISAGREE);
        v = game.dispute(s.d);
        assertEq(v.challengerClock, chBefore - 1000 + INCREMENT);
        uint64 subBefore = v.submitterClock;
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[1])));
        answerCut(Phase.Tile, challenger, s.d, Cuts.AGREE);
        subBefore = game.dispute(s.d).submitterClock;
        vm.warp(block.timestamp + 30);
        TileVMProof memory p = tileVMOf(s, 1);
        vm.prank(submitter);
        game.startTileVM(s.d, p);
        assertEq(game.dispute(s.d).submitterClock, subBefore - 30 + INCREMENT);
    }

    function test_clock_silentSubmitterInTilePhase_challengerWinsOnTime_succeeds() public {
        Tiled memory s = atNode0(4, NO_LIE);
        startTiles(s);
        vm.warp(game.dispute(s.d).deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(ClockNotSpent.selector, game.dispute(s.d).deadline));
        game.timeout(s.d);
        vm.warp(game.dispute(s.d).deadline);
        vm.expectRevert(abi.encodeWithSelector(ClockSpent.selector, block.timestamp));
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[2])));
        game.timeout(s.d);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.winner), uint8(Side.Challenger));
        assertEq(uint8(v.reason), uint8(Reason.Timeout));
    }

    function test_clock_silentChallengerInTilePhase_submitterWinsOnTime_succeeds() public {
        Tiled memory s = atNode0(4, NO_LIE);
        startTiles(s);
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[2])));
        vm.warp(game.dispute(s.d).deadline);
        game.timeout(s.d);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.winner), uint8(Side.Submitter));
        assertEq(uint8(v.reason), uint8(Reason.Timeout));
        assertEq(uint8(game.submission(s.id).status), uint8(SubmissionStatus.Pending));
    }

    // ======================================================================================================
    // startTiles: one revert per check
    // ======================================================================================================

    function test_startTiles_notConverged_reverts() public {
        Toy memory toy = registerSpecs(tiledSpecs(2), 1);
        int32[8][] memory t = tensors(input8(4), 2, NO_LIE);
        bytes32[] memory world = ToyModels.rootsOf(t);
        uint256 d = challengeAs(submitWorld(toy, t, world, t[2], submitter, MIN_BOND), challenger);
        TileEntryProof memory e;
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(BisectionNotConverged.selector, 0, 2));
        game.startTiles(d, e);
    }

    function test_startTiles_notSubmitter_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(NotSubmitter.selector, challenger));
        game.startTiles(s.d, e);
    }

    function test_startTiles_twice_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        startTiles(s);
        TileEntryProof memory e = entryOf(s);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.Tile));
        game.startTiles(s.d, e);
        TransitionProof memory tp;
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.Tile));
        game.startVM(s.d, tp);
    }

    function test_startTiles_badNodeProofLength_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        e.nodeSiblings = new bytes32[](2);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, 1, 2));
        game.startTiles(s.d, e);
    }

    function test_startTiles_wrongSlotRoot_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        e.slotRoots[0] = keccak256("not the input");
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(InvalidSlotProof.selector, 0));
        game.startTiles(s.d, e);
    }

    function test_startTiles_slotCountMismatch_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        e.slotRoots = new bytes32[](2);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 2));
        game.startTiles(s.d, e);
    }

    function test_startTiles_badOutputProofLength_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        e.outSiblings = new bytes32[](MEM_DEPTH - 1);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, MEM_DEPTH, MEM_DEPTH - 1));
        game.startTiles(s.d, e);
    }

    function test_startTiles_inconsistentGraphState_reverts() public {
        // R in sigma_m, but S_hi is not S_lo with R in slot 1.
        Tiled memory s = atNode0(2, NO_LIE);
        bytes32[][] memory other = new bytes32[][](1);
        other[0] = Tracer.copy(s.sigma[2]);
        other[0][TiledToys.OUT_LEAF] = keccak256("another output");
        TileEntryProof memory e = TiledToys.entry(s.toy.specs, 0, s.world, 1, other[0]);
        bytes32[] memory w = Tracer.copy(s.world);
        w[1] = other[0][TiledToys.OUT_LEAF];
        vm.prank(submitter);
        vm.expectRevert(
            abi.encodeWithSelector(
                InconsistentGraphState.selector, ToyModels.graphState(s.world, 2), ToyModels.graphState(w, 2)
            )
        );
        game.startTiles(s.d, e);
    }

    function test_startTiles_outputSlotNotEmpty_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        TileEntryProof memory e = entryOf(s);
        e.outSlotSiblings[0] = keccak256("a sibling that is not slot 0");
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(OutputSlotNotEmpty.selector, 1));
        game.startTiles(s.d, e);
    }

    // ======================================================================================================
    // The tile bisection and startTileVM: one revert per check
    // ======================================================================================================

    function test_tileMoves_wrongPhase_reverts() public {
        Tiled memory s = atNode0(2, NO_LIE);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Tile, Phase.Graph));
        postCut(Phase.Tile, submitter, s.d, one(0));
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Tile, Phase.Graph));
        answerCut(Phase.Tile, challenger, s.d, Cuts.AGREE);
        TileVMProof memory p;
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Tile, Phase.Graph));
        game.startTileVM(s.d, p);
        startTiles(s);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.Tile));
        postCut(Phase.Graph, submitter, s.d, one(0));
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.VM, Phase.Tile));
        postCut(Phase.VM, submitter, s.d, one(0));
    }

    function test_tileMoves_wrongTurnAndCaller_reverts() public {
        Tiled memory s = atNode0(4, NO_LIE);
        startTiles(s);
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Submitter));
        answerCut(Phase.Tile, challenger, s.d, Cuts.AGREE);
        vm.expectRevert(abi.encodeWithSelector(NotSubmitter.selector, other));
        postCut(Phase.Tile, other, s.d, one(0));
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[2])));
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Challenger));
        vm.prank(submitter);
        game.postTileStates(s.d, one(0));
        vm.expectRevert(abi.encodeWithSelector(NotChallenger.selector, other));
        answerCut(Phase.Tile, other, s.d, Cuts.AGREE);
    }

    function test_startTileVM_notConverged_reverts() public {
        Tiled memory s = atNode0(4, NO_LIE);
        startTiles(s);
        TileVMProof memory p = tileVMOf(s, 0);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(BisectionNotConverged.selector, 0, 4));
        game.startTileVM(s.d, p);
    }

    /// @dev A converged 3-tile dispute at tile 1 (honest submitter, challenger agrees once then disagrees).
    function atTile1() internal returns (Tiled memory s) {
        s = atNode0(3, NO_LIE);
        startTiles(s);
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[1])));
        answerCut(Phase.Tile, challenger, s.d, Cuts.AGREE);
        postCut(Phase.Tile, submitter, s.d, one(TiledToys.root(s.sigma[2])));
        answerCut(Phase.Tile, challenger, s.d, Cuts.DISAGREE);
        DisputeView memory v = game.dispute(s.d);
        assertEq(v.lo, 1);
        assertEq(v.hi, 2);
        assertEq(uint8(v.next), uint8(Move.StartTileVM));
        assertEq(v.postedHash, 0, "nothing to answer");
    }

    function expectTileVMRevert(Tiled memory s, TileVMProof memory p, bytes memory err) internal {
        vm.prank(submitter);
        vm.expectRevert(err);
        game.startTileVM(s.d, p);
    }

    function test_startTileVM_succeeds() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        vm.prank(submitter);
        game.startTileVM(s.d, p);
        DisputeView memory v = game.dispute(s.d);
        assertEq(uint8(v.phase), uint8(Phase.VM));
        assertEq(v.tile, 1);
        assertEq(v.lo, 0);
        assertEq(v.hi, TiledToys.TILE_STEPS);
        assertEq(v.hiHash, hashState(s.finals[1]));
    }

    function test_startTileVM_badTileProofLength_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        p.tileSiblings = new bytes32[](3);
        expectTileVMRevert(s, p, abi.encodeWithSelector(BadProofLength.selector, 2, 3));
    }

    function test_startTileVM_badWindowProofLength_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        p.windowSiblings = new bytes32[](MEM_DEPTH + 1);
        expectTileVMRevert(s, p, abi.encodeWithSelector(BadProofLength.selector, MEM_DEPTH, MEM_DEPTH + 1));
    }

    function test_startTileVM_finalNotHalted_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        p.finalState.status = STATUS_RUNNING;
        expectTileVMRevert(s, p, abi.encodeWithSelector(FinalNotHalted.selector, STATUS_RUNNING));
    }

    function test_startTileVM_wrongStepCount_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        p.finalState.step = TiledToys.TILE_STEPS + 1;
        expectTileVMRevert(
            s, p, abi.encodeWithSelector(WrongStepCount.selector, TiledToys.TILE_STEPS, TiledToys.TILE_STEPS + 1)
        );
    }

    function test_startTileVM_wrongCodeRoot_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        bytes32 code = p.finalState.codeRoot;
        p.finalState.codeRoot = TiledToys.tile(0).codeRoot;
        expectTileVMRevert(s, p, abi.encodeWithSelector(CodeRootMismatch.selector, code, p.finalState.codeRoot));
    }

    /// @dev A one-tile model whose tile is `t` (a tile registration cannot see), disputed at its tile.
    function atBadTile(TileSpec memory t) internal returns (uint256 d, bytes32[] memory sigma0) {
        NodeSpec[] memory specs = tiledSpecs(1);
        specs[0].tilesRoot = keccak256(abi.encode(t));
        Toy memory toy = registerSpecs(specs, 1);
        int32[8][] memory ts = new int32[8][](3);
        ts[0] = input8(1);
        ts[2] = ToyModels.add8(ts[1], 2);
        bytes32[] memory world = ToyModels.rootsOf(ts);
        d = challengeAs(submitWorld(toy, ts, world, ts[2], submitter, MIN_BOND), challenger);
        postCut(Phase.Graph, submitter, d, one(ToyModels.graphState(world, 2)));
        answerCut(Phase.Graph, challenger, d, Cuts.DISAGREE);
        sigma0 = new bytes32[](3);
        sigma0[0] = world[0];
        TileEntryProof memory e = TiledToys.entry(toy.specs, 0, world, 1, sigma0);
        vm.prank(submitter);
        game.startTiles(d, e);
    }

    function test_startTileVM_zeroStepTile_reverts() public {
        TileSpec memory t = TileSpec({codeRoot: keccak256("code"), steps: 0, windowRoot: 0});
        (uint256 d, bytes32[] memory sigma0) = atBadTile(t);
        TileVMProof memory p;
        p.tile = t;
        p.windowSiblings = SmallTree.proof(sigma0, TiledToys.WINDOW_LEAF, MEM_DEPTH);
        vm.prank(submitter);
        vm.expectRevert(ZeroSteps.selector);
        game.startTileVM(d, p);
    }

    function test_startTileVM_tooManyTileSteps_reverts() public {
        TileSpec memory t = TileSpec({codeRoot: keccak256("code"), steps: uint64((1 << 40) + 1), windowRoot: 0});
        (uint256 d, bytes32[] memory sigma0) = atBadTile(t);
        TileVMProof memory p;
        p.tile = t;
        p.windowSiblings = SmallTree.proof(sigma0, TiledToys.WINDOW_LEAF, MEM_DEPTH);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(ModelTooLarge.selector, "tile steps", (1 << 40) + 1, 1 << 40));
        game.startTileVM(d, p);
    }

    function test_startTileVM_afterStart_reverts() public {
        Tiled memory s = atTile1();
        TileVMProof memory p = tileVMOf(s, 1);
        vm.prank(submitter);
        game.startTileVM(s.d, p);
        vm.prank(submitter);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Tile, Phase.VM));
        game.startTileVM(s.d, p);
    }

    function test_verifier_tileVMDirect_succeeds() public view {
        // The verifier alone gives the hashes the game uses: mu_i from sigma_i and the tile's window.
        bytes32[] memory sigma0 = new bytes32[](3);
        sigma0[0] = Asm.leaf(input8(9));
        (bytes32[][] memory sigma, VMState[] memory finals) = TiledToys.run(judge, sigma0[0], 2, false, 0);
        TileVMProof memory p = TiledToys.tileVM(2, 1, sigma[1], finals[1]);
        (bytes32 initialHash, bytes32 finalHash, uint64 steps) = game.transitionVerifier().verifyTileVM(
            TiledToys.tilesRoot(2),
            2,
            TiledToys.WINDOW_BASE,
            0,
            1,
            TiledToys.root(sigma[1]),
            TiledToys.root(sigma[2]),
            p
        );
        assertEq(initialHash, hashState(Tracer.initial(TiledToys.tileCode(1), TiledToys.mu(sigma[1], 1))));
        assertEq(finalHash, hashState(finals[1]));
        assertEq(steps, TiledToys.TILE_STEPS);
        assertEq(finals[1].status, STATUS_HALTED);
    }
}
