// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VMState, StepProof, hashState, STATUS_HALTED} from "../src/VMTypes.sol";
import {BadProofLength, PreStateMismatch} from "../src/VMErrors.sol";
import {NodeSpec} from "../src/ModelTypes.sol";
import {Side} from "../src/Clock.sol";
import {SubmissionStatus, Phase, Reason, Move, Submission, DisputeView, TransitionProof} from "../src/GameTypes.sol";
import {DisputeGame} from "../src/DisputeGame.sol";
import {IStepJudge} from "../src/IStepJudge.sol";
import "../src/GameErrors.sol";
import {GameFixture} from "./utils/GameFixture.sol";
import {Cuts, one} from "./utils/Cuts.sol";
import {SmallTree} from "./utils/SmallTree.sol";
import {Tracer} from "./utils/Tracer.sol";
import {ToyModels} from "./utils/ToyModels.sol";
import {Asm} from "./utils/Asm.sol";

/// @notice Every DisputeGame function except startVM (DisputeGameTransition.t.sol) and the input uploads
///         (InputUploads.t.sol): the constructor, submissions, challenges, finalize, the graph and VM bisections,
///         resolveStep, timeout, settle, withdraw, the views; every revert. The attacks and the economics of several
///         disputes are in DisputeGameAttacks.t.sol and DisputeGameEconomics.t.sol.
/// @dev Most tests run on the honest 3-node chain model (node j adds j + 1), input input8(2).
contract DisputeGameTest is GameFixture {
    bytes32 internal chainId;
    bytes32[] internal truth; // the chain's honest world
    int32[8] internal output; // its output tensor

    function setUp() public override {
        super.setUp();
        chainId = registerChain(3, false).id;
        int32[8][] memory tensors = ToyModels.chainTensors(input8(2), 3, false, false, 0);
        truth = ToyModels.rootsOf(tensors);
        output = tensors[3];
    }

    /// @dev The chain's input, as the one-element input list.
    function chainInputs() internal pure returns (int32[8][] memory) {
        return one8(input8(2));
    }

    // ======================================================================================================
    // Helpers
    // ======================================================================================================

    function chainToy() internal view returns (Toy memory t) {
        t.specs = ToyModels.chainSpecs(3, false);
        t.model = ToyModels.modelOf(t.specs, 1);
        t.id = chainId;
    }

    function submitHonest() internal returns (uint256) {
        return submitWorld(chainToy(), chainInputs(), truth, output, submitter, MIN_BOND);
    }

    function disputeHonest() internal returns (uint256 id, uint256 d) {
        id = submitHonest();
        d = challengeAs(id, challenger);
    }

    /// @dev The submitter posts its one graph state (k = 2).
    function postAs(uint256 d, bytes32 state) internal {
        postCut(Phase.Graph, submitter, d, one(state));
    }

    /// @dev The challenger agrees with the posted graph state (the upper part) or disputes it (the lower part).
    function respondAs(uint256 d, bool agree) internal {
        answerCut(Phase.Graph, challenger, d, Cuts.binary(agree));
    }

    /// @dev Plays the graph phase with a challenger that agrees with every state (so j = n - 1) and starts the VM
    ///      honestly. Returns node 2's code and initial memory.
    function toVM() internal returns (uint256 id, uint256 d, bytes32[] memory code, bytes32[] memory mem) {
        (id, d) = disputeHonest();
        playGraph(d, truth, truth, 1);
        code = ToyModels.chainCode(2, false);
        TransitionProof memory tp;
        (tp, mem) = honestTransition(chainToy(), 2, truth, code);
        vm.prank(submitter);
        game.startVM(d, tp);
    }

    /// @dev toVM, then the VM bisection with the submitter honest and the challenger agreeing iff `agreeAll`
    ///      (else disagreeing with everything), down to one step.
    function toStep(bool agreeAll)
        internal
        returns (uint256 id, uint256 d, bytes32[] memory code, bytes32[] memory mem)
    {
        (id, d, code, mem) = toVM();
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS);
        playVM(d, honest, agreeAll ? honest : new bytes32[](honest.length));
    }

    /// @dev The submitter posts its one VM state (k = 2) as `who`.
    function postVMAs(address who, uint256 d, bytes32 state) internal {
        postCut(Phase.VM, who, d, one(state));
    }

    /// @dev `who` agrees or disagrees with the one posted VM state (k = 2).
    function respondVMAs(address who, uint256 d, bool agree) internal {
        answerCut(Phase.VM, who, d, Cuts.binary(agree));
    }

    function assertResolved(uint256 d, Side winner, Reason reason) internal view {
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.phase), uint8(Phase.Resolved), "phase");
        assertEq(uint8(v.winner), uint8(winner), "winner");
        assertEq(uint8(v.reason), uint8(reason), "reason");
        // A winning challenger has its share to settle once every dispute on the submission is ruled.
        bool settle = winner == Side.Challenger && game.submission(v.submissionId).openDisputes == 0;
        assertEq(uint8(v.next), uint8(settle ? Move.Settle : Move.None), "next");
    }

    // ======================================================================================================
    // constructor, register
    // ======================================================================================================

    function test_constructor_parameters_succeeds() public view {
        assertEq(address(game.judge()), address(judge));
        assertEq(game.minBond(), MIN_BOND);
        assertEq(game.challengeBond(), CHALLENGE_BOND);
        assertEq(game.challengeWindow(), WINDOW);
        assertEq(game.clockSeconds(), CLOCK);
        assertEq(game.moveIncrement(), INCREMENT);
        assertEq(game.arity(), ARITY);
        assertEq(game.burned(), 0);
        assertTrue(address(game.transitionVerifier()).code.length > 0);
        assertTrue(address(game.modelValidator()).code.length > 0);
        assertTrue(game.isRegistered(chainId));
    }

    function deploy(address judge_, uint256 minBond, uint256 challengeBond, uint64 window, uint64 clock, uint64 inc)
        internal
        returns (DisputeGame)
    {
        return new DisputeGame(IStepJudge(judge_), minBond, challengeBond, window, clock, inc, ARITY);
    }

    function test_constructor_zeroMinBond_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "minBond"));
        deploy(address(judge), 0, CHALLENGE_BOND, WINDOW, CLOCK, INCREMENT);
    }

    function test_constructor_zeroChallengeBond_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "challengeBond"));
        deploy(address(judge), MIN_BOND, 0, WINDOW, CLOCK, INCREMENT);
    }

    function test_constructor_zeroWindow_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "challengeWindow"));
        deploy(address(judge), MIN_BOND, CHALLENGE_BOND, 0, CLOCK, INCREMENT);
    }

    function test_constructor_zeroClock_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "clockSeconds"));
        deploy(address(judge), MIN_BOND, CHALLENGE_BOND, WINDOW, 0, INCREMENT);
    }

    function test_constructor_zeroIncrement_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "moveIncrement"));
        deploy(address(judge), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, 0);
    }

    function test_constructor_incrementAboveClock_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "moveIncrement"));
        deploy(address(judge), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, CLOCK + 1);
    }

    function test_constructor_incrementEqualsClock_succeeds() public {
        assertEq(deploy(address(judge), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, CLOCK).moveIncrement(), CLOCK);
    }

    function test_constructor_judgeWithoutCode_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "judge"));
        deploy(address(0), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, INCREMENT);
        vm.expectRevert(abi.encodeWithSelector(InvalidParameter.selector, "judge"));
        deploy(makeAddr("an account, not a contract"), MIN_BOND, CHALLENGE_BOND, WINDOW, CLOCK, INCREMENT);
    }

    // ======================================================================================================
    // submit
    // ======================================================================================================

    function test_submit_succeeds() public {
        bytes32[] memory inputs = new bytes32[](1);
        inputs[0] = truth[0];
        uint256[] memory ups = inputUpload();
        vm.expectEmit(address(game));
        emit DisputeGame.Submitted(
            0, submitter, chainId, 3 ether, ups, inputs, words(output), ToyModels.graphState(truth, 4)
        );
        vm.prank(submitter);
        uint256 id = game.submit{value: 3 ether}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
        assertEq(id, 0);
        assertEq(game.submissionCount(), 1);
        Submission memory s = game.submission(id);
        assertEq(s.submitter, submitter);
        assertEq(s.submittedAt, block.timestamp);
        assertEq(uint8(s.status), uint8(SubmissionStatus.Pending));
        assertEq(s.openDisputes, 0);
        assertEq(s.modelId, chainId);
        assertEq(s.bond, 3 ether);
        assertEq(s.initialState, ToyModels.graphState(truth, 1), "S_0 computed on-chain from the uploaded words");
        assertEq(s.finalState, ToyModels.graphState(truth, 4));
        assertEq(s.outputRoot, truth[3]);
        assertEq(address(game).balance, 3 ether);
    }

    function test_submit_exactMinBond_succeeds() public {
        submitWorld(chainToy(), chainInputs(), truth, output, submitter, MIN_BOND);
        assertEq(address(game).balance, MIN_BOND);
    }

    /// @dev One upload of the chain's input, by the submitter; its id in a one-element list.
    function inputUpload() internal returns (uint256[] memory ups) {
        ups = new uint256[](1);
        ups[0] = upload(submitter, input8(2));
    }

    function test_submit_unregisteredModel_reverts() public {
        bytes32 unknown = keccak256("no such model");
        uint256[] memory ups = inputUpload();
        vm.expectRevert(abi.encodeWithSelector(ModelNotRegistered.selector, unknown));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(unknown, ups, words(output), 0, new bytes32[](2));
    }

    function test_submit_bondTooLow_reverts(uint256 bond) public {
        bond = bound(bond, 0, MIN_BOND - 1);
        uint256[] memory ups = inputUpload();
        vm.expectRevert(abi.encodeWithSelector(BondTooLow.selector, MIN_BOND, bond));
        vm.prank(submitter);
        game.submit{value: bond}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
    }

    function test_submit_wrongInputCount_reverts() public {
        uint256[] memory two_ = new uint256[](2);
        two_[0] = upload(submitter, input8(2));
        two_[1] = upload(submitter, input8(2));
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 2));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, two_, words(output), 0, new bytes32[](2));
        vm.expectRevert(abi.encodeWithSelector(InputCountMismatch.selector, 1, 0));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, new uint256[](0), words(output), 0, new bytes32[](2));
    }

    function test_submit_unknownUpload_reverts() public {
        uint256[] memory ups = new uint256[](1);
        ups[0] = 5;
        vm.expectRevert(abi.encodeWithSelector(UnknownUpload.selector, 5));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, ups, words(output), 0, new bytes32[](2));
    }

    function test_submit_anotherAccountsUpload_succeeds() public {
        // Inputs are public data: a submission may use an upload someone else published (the words are the same).
        uint256[] memory ups = new uint256[](1);
        ups[0] = upload(other, input8(2));
        vm.prank(submitter);
        uint256 id = game.submit{value: MIN_BOND}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
        assertEq(game.submission(id).initialState, ToyModels.graphState(truth, 1));
    }

    function test_submit_sameUploadTwice_succeeds() public {
        // One upload serves any number of submissions (and any input slot whose size it matches).
        uint256[] memory ups = inputUpload();
        vm.startPrank(submitter);
        uint256 a = game.submit{value: MIN_BOND}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
        uint256 b = game.submit{value: MIN_BOND}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
        vm.stopPrank();
        assertEq(game.submission(a).initialState, game.submission(b).initialState);
    }

    function test_submit_otherInputChangesInitialState_succeeds() public {
        // S_0 is computed from the uploaded words, never taken from the submitter: other words, another S_0.
        uint256[] memory ups = new uint256[](1);
        ups[0] = upload(submitter, input8(3));
        vm.prank(submitter);
        uint256 id = game.submit{value: MIN_BOND}(
            chainId, ups, words(output), ToyModels.graphState(truth, 4), ToyModels.slotProof(truth, 4, 3)
        );
        bytes32[] memory w = new bytes32[](4);
        w[0] = Asm.leaf(input8(3));
        assertEq(game.submission(id).initialState, ToyModels.graphState(w, 1));
        assertTrue(game.submission(id).initialState != game.submission(submitHonest()).initialState);
    }

    function test_submit_wrongOutputProofLength_reverts() public {
        uint256[] memory ups = inputUpload();
        vm.expectRevert(abi.encodeWithSelector(BadProofLength.selector, 2, 3));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, ups, words(output), 0, new bytes32[](3));
    }

    function test_submit_outputNotInFinalState_reverts() public {
        // The output differs from the tensor S_n holds at the output slot.
        int32[8] memory wrong = output;
        wrong[7] += 1;
        uint256[] memory ups = inputUpload();
        bytes32[] memory siblings = ToyModels.slotProof(truth, 4, 3);
        bytes32 sn = ToyModels.graphState(truth, 4);
        vm.expectRevert(abi.encodeWithSelector(OutputNotInFinalState.selector, Asm.leaf(wrong)));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, ups, words(wrong), sn, siblings);
    }

    function test_submit_outputSizeMismatch_reverts() public {
        uint256[] memory ups = inputUpload();
        bytes memory seven = new bytes(28);
        vm.expectRevert(abi.encodeWithSelector(OutputSizeMismatch.selector, 32, 28));
        vm.prank(submitter);
        game.submit{value: MIN_BOND}(chainId, ups, seven, 0, new bytes32[](2));
    }

    // ======================================================================================================
    // challenge
    // ======================================================================================================

    function test_challenge_succeeds() public {
        uint256 id = submitHonest();
        vm.expectEmit(address(game));
        emit DisputeGame.Challenged(0, id, challenger);
        uint256 d = challengeAs(id, challenger);
        assertEq(d, 0);
        assertEq(game.disputeCount(), 1);
        assertEq(game.submission(id).openDisputes, 1);
        DisputeView memory v = game.dispute(d);
        assertEq(v.submissionId, id);
        assertEq(v.submitter, submitter);
        assertEq(v.challenger, challenger);
        assertEq(uint8(v.phase), uint8(Phase.Graph));
        assertEq(uint8(v.next), uint8(Move.PostGraphState));
        assertEq(uint8(v.turn), uint8(Side.Submitter));
        assertEq(v.lo, 0);
        assertEq(v.hi, 3);
        assertEq(v.parts, 2, "a bisection: one state at node 1 next");
        assertEq(v.postedHash, 0);
        assertEq(v.loHash, ToyModels.graphState(truth, 1));
        assertEq(v.hiHash, ToyModels.graphState(truth, 4));
        assertEq(v.submitterClock, CLOCK);
        assertEq(v.challengerClock, CLOCK);
        assertEq(v.deadline, block.timestamp + CLOCK);
        assertEq(v.createdAt, block.timestamp);
        assertEq(address(game).balance, MIN_BOND + CHALLENGE_BOND);
    }

    function test_challenge_bondIndependentOfSubmissionBond_succeeds() public {
        // The submitter staked 5 ether; a challenge still stakes the game's fixed bond, and only that.
        uint256 id = submitWorld(chainToy(), chainInputs(), truth, output, submitter, 5 ether);
        vm.expectRevert(abi.encodeWithSelector(BondMismatch.selector, CHALLENGE_BOND, 5 ether));
        vm.prank(challenger);
        game.challenge{value: 5 ether}(id);
        challengeAs(id, challenger);
        assertEq(address(game).balance, 5 ether + CHALLENGE_BOND);
    }

    function test_challenge_severalChallengers_succeeds() public {
        uint256 id = submitHonest();
        uint256 d0 = challengeAs(id, challenger);
        uint256 d1 = challengeAs(id, other);
        uint256 d2 = challengeAs(id, challenger); // one per challenge, the same account may open another
        assertEq(d1, d0 + 1);
        assertEq(d2, d0 + 2);
        assertEq(game.submission(id).openDisputes, 3);
    }

    function test_challenge_lastSecondOfWindow_succeeds() public {
        uint256 id = submitHonest();
        vm.warp(block.timestamp + WINDOW);
        challengeAs(id, challenger);
    }

    function test_challenge_outOfWindow_reverts(uint256 late) public {
        uint256 id = submitHonest();
        uint256 windowEnd = block.timestamp + WINDOW;
        vm.warp(windowEnd + bound(late, 1, 10 * WINDOW));
        vm.expectRevert(abi.encodeWithSelector(ChallengeWindowClosed.selector, windowEnd));
        vm.prank(challenger);
        game.challenge{value: CHALLENGE_BOND}(id);
    }

    function test_challenge_wrongBond_reverts(uint256 value) public {
        uint256 id = submitHonest();
        value = bound(value, 0, 10 ether);
        vm.assume(value != CHALLENGE_BOND);
        vm.expectRevert(abi.encodeWithSelector(BondMismatch.selector, CHALLENGE_BOND, value));
        vm.prank(challenger);
        game.challenge{value: value}(id);
    }

    function test_challenge_unknownSubmission_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownSubmission.selector, 0));
        vm.prank(challenger);
        game.challenge{value: CHALLENGE_BOND}(0);
    }

    function test_challenge_finalizedSubmission_reverts() public {
        uint256 id = submitHonest();
        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(SubmissionNotPending.selector, id, SubmissionStatus.Finalized));
        vm.prank(challenger);
        game.challenge{value: CHALLENGE_BOND}(id);
    }

    function test_challenge_rejectedSubmission_reverts() public {
        (uint256 id, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d); // the submitter never moved
        vm.expectRevert(abi.encodeWithSelector(SubmissionNotPending.selector, id, SubmissionStatus.Rejected));
        vm.prank(other);
        game.challenge{value: CHALLENGE_BOND}(id);
    }

    // ======================================================================================================
    // finalize
    // ======================================================================================================

    function test_finalize_succeeds() public {
        uint256 id = submitHonest();
        vm.warp(block.timestamp + WINDOW + 1);
        vm.expectEmit(address(game));
        emit DisputeGame.SubmissionFinalized(id);
        vm.prank(other); // anyone
        game.finalize(id);
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Finalized));
        assertEq(game.credits(submitter), MIN_BOND);
    }

    function test_finalize_afterWonDispute_succeeds() public {
        (uint256 id, uint256 d) = disputeHonest();
        postAs(d, ToyModels.graphState(truth, 2));
        vm.warp(block.timestamp + CLOCK); // the challenger never answers
        game.timeout(d);
        vm.warp(block.timestamp + WINDOW);
        game.finalize(id);
        assertEq(game.credits(submitter), MIN_BOND + CHALLENGE_BOND, "its bond back and the loser's bond");
    }

    function test_finalize_windowOpen_reverts() public {
        uint256 id = submitHonest();
        uint256 windowEnd = block.timestamp + WINDOW;
        vm.warp(windowEnd); // the last second still belongs to challengers
        vm.expectRevert(abi.encodeWithSelector(ChallengeWindowOpen.selector, windowEnd));
        game.finalize(id);
    }

    function test_finalize_disputeOpen_reverts() public {
        (uint256 id,) = disputeHonest();
        vm.warp(block.timestamp + WINDOW + 1);
        vm.expectRevert(abi.encodeWithSelector(DisputesOpen.selector, 1));
        game.finalize(id);
    }

    function test_finalize_twice_reverts() public {
        uint256 id = submitHonest();
        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(SubmissionNotPending.selector, id, SubmissionStatus.Finalized));
        game.finalize(id);
    }

    function test_finalize_rejected_reverts() public {
        (uint256 id, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(SubmissionNotPending.selector, id, SubmissionStatus.Rejected));
        game.finalize(id);
    }

    function test_finalize_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownSubmission.selector, 7));
        game.finalize(7);
    }

    // ======================================================================================================
    // postGraphStates, respondGraph
    // ======================================================================================================

    function test_postGraphStates_succeeds() public {
        (, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + 1000);
        bytes32 s1 = ToyModels.graphState(truth, 2);
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(d, Phase.Graph, 0, 3, one(s1));
        postAs(d, s1);
        DisputeView memory v = game.dispute(d);
        assertEq(v.postedHash, keccak256(abi.encodePacked(s1)));
        assertEq(v.lo, 0, "a post leaves the interval as it was");
        assertEq(v.hi, 3);
        assertEq(uint8(v.turn), uint8(Side.Challenger));
        assertEq(uint8(v.next), uint8(Move.RespondGraph));
        assertEq(v.submitterClock, CLOCK - 1000 + INCREMENT, "its clock ran while it was to move; the move earned");
        assertEq(v.challengerClock, CLOCK);
        assertEq(v.deadline, block.timestamp + CLOCK);
    }

    function test_respondGraph_agree_succeeds() public {
        (, uint256 d) = disputeHonest();
        bytes32 s1 = ToyModels.graphState(truth, 2);
        postAs(d, s1);
        vm.warp(block.timestamp + 500);
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(d, Phase.Graph, Cuts.AGREE, 1, 3);
        respondAs(d, true);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, 1);
        assertEq(v.hi, 3);
        assertEq(v.loHash, s1);
        assertEq(v.postedHash, 0);
        assertEq(v.parts, 2);
        assertEq(Cuts.position(v.lo, v.hi, v.parts, 1), 2, "the next post is at node 2");
        assertEq(v.challengerClock, CLOCK - 500 + INCREMENT);
        assertEq(v.submitterClock, CLOCK, "a quick move earns no more than the starting budget");
        assertEq(uint8(v.next), uint8(Move.PostGraphState));
    }

    function test_respondGraph_disagree_succeeds() public {
        (, uint256 d) = disputeHonest();
        bytes32 s1 = ToyModels.graphState(truth, 2);
        postAs(d, s1);
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(d, Phase.Graph, Cuts.DISAGREE, 0, 1);
        respondAs(d, false);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
        assertEq(v.parts, 1, "converged: nothing left to cut");
        assertEq(v.hiHash, s1);
        assertEq(uint8(v.next), uint8(Move.StartVM), "converged: the submitter proves node 0");
        assertEq(uint8(v.turn), uint8(Side.Submitter));
    }

    function test_postGraphStates_wrongTurn_reverts() public {
        (, uint256 d) = disputeHonest();
        postAs(d, keccak256("s1"));
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Challenger));
        postAs(d, keccak256("again"));
    }

    function test_postGraphStates_notSubmitter_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.expectRevert(abi.encodeWithSelector(NotSubmitter.selector, challenger));
        postCut(Phase.Graph, challenger, d, one(keccak256("s1")));
    }

    function test_postGraphStates_converged_reverts() public {
        Toy memory oneNode = registerChain(1, true);
        bytes32[] memory w = ToyModels.chainWorld(input8(1), 1, true, false, 0);
        uint256 id = submitWorld(oneNode, one8(input8(1)), w, input8(1), submitter, MIN_BOND);
        uint256 d = challengeAs(id, challenger);
        vm.expectRevert(abi.encodeWithSelector(BisectionConverged.selector, 0, 1));
        postAs(d, keccak256("s"));
    }

    function test_postGraphStates_wrongPhase_reverts() public {
        (, uint256 d,,) = toVM();
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.VM));
        postAs(d, keccak256("s"));
    }

    function test_postGraphStates_clockSpent_reverts() public {
        (, uint256 d) = disputeHonest();
        uint256 deadline = block.timestamp + CLOCK;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(ClockSpent.selector, deadline));
        postAs(d, keccak256("s"));
    }

    function test_postGraphStates_unknownDispute_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownDispute.selector, 0));
        postAs(0, keccak256("s"));
    }

    function test_postGraphStates_resolved_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        vm.expectRevert(abi.encodeWithSelector(DisputeOver.selector, d));
        postAs(d, keccak256("s"));
    }

    function test_respondGraph_afterSubmissionRejected_succeeds() public {
        // Another dispute rejected the submission; this one still runs to its own ruling.
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK / 2);
        postAs(d2, keccak256("s1"));
        vm.warp(block.timestamp + CLOCK / 2);
        game.timeout(d); // the submitter never moved in d: rejected
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
        assertEq(uint8(game.dispute(d2).next), uint8(Move.RespondGraph));
        answerCut(Phase.Graph, other, d2, Cuts.AGREE);
        postAs(d2, keccak256("s2"));
        assertEq(uint8(game.dispute(d2).next), uint8(Move.RespondGraph));
    }

    function test_respondGraph_wrongTurn_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Submitter));
        respondAs(d, true);
    }

    function test_respondGraph_notChallenger_reverts() public {
        (, uint256 d) = disputeHonest();
        postAs(d, keccak256("s1"));
        vm.expectRevert(abi.encodeWithSelector(NotChallenger.selector, submitter));
        answerCut(Phase.Graph, submitter, d, Cuts.AGREE);
    }

    function test_respondGraph_wrongPhase_reverts() public {
        (, uint256 d,,) = toStep(true);
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.Graph, Phase.VM));
        respondAs(d, true);
    }

    // ======================================================================================================
    // postVMStates, respondVM
    // ======================================================================================================

    function test_postVMStates_succeeds() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toVM();
        DisputeView memory v = game.dispute(d);
        assertEq(uint8(v.next), uint8(Move.PostVMState));
        assertEq(v.parts, 2);
        uint64 mid = Cuts.position(v.lo, v.hi, v.parts, 1);
        assertEq(mid, ToyModels.ADD_STEPS / 2);
        bytes32 h = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS)[mid];
        vm.expectEmit(address(game));
        emit DisputeGame.StatesPosted(d, Phase.VM, 0, ToyModels.ADD_STEPS, one(h));
        postVMAs(submitter, d, h);
        v = game.dispute(d);
        assertEq(v.postedHash, keccak256(abi.encodePacked(h)));
        assertEq(uint8(v.next), uint8(Move.RespondVM));
    }

    function test_respondVM_succeeds() public {
        (, uint256 d,,) = toVM();
        postVMAs(submitter, d, keccak256("s12"));
        vm.expectEmit(address(game));
        emit DisputeGame.Responded(d, Phase.VM, Cuts.AGREE, 12, 25);
        respondVMAs(challenger, d, true);
        DisputeView memory v = game.dispute(d);
        assertEq(v.loHash, keccak256("s12"));
        assertEq(uint8(v.next), uint8(Move.PostVMState));
    }

    function test_respondVM_convergedHandsChallengerTheStep_succeeds() public {
        (, uint256 d,,) = toStep(false);
        DisputeView memory v = game.dispute(d);
        assertEq(v.lo, 0);
        assertEq(v.hi, 1);
        assertEq(uint8(v.turn), uint8(Side.Challenger));
        assertEq(uint8(v.next), uint8(Move.ResolveStep));
    }

    function test_postVMStates_wrongTurn_reverts() public {
        (, uint256 d,,) = toVM();
        postVMAs(submitter, d, keccak256("a"));
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Challenger));
        postVMAs(submitter, d, keccak256("b"));
    }

    function test_postVMStates_notSubmitter_reverts() public {
        (, uint256 d,,) = toVM();
        vm.expectRevert(abi.encodeWithSelector(NotSubmitter.selector, other));
        postVMAs(other, d, keccak256("a"));
    }

    function test_postVMStates_wrongPhase_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.VM, Phase.Graph));
        postVMAs(submitter, d, keccak256("a"));
    }

    function test_respondVM_wrongTurn_reverts() public {
        (, uint256 d,,) = toVM();
        vm.expectRevert(abi.encodeWithSelector(WrongTurn.selector, Side.Submitter));
        respondVMAs(challenger, d, true);
    }

    function test_respondVM_notChallenger_reverts() public {
        (, uint256 d,,) = toVM();
        postVMAs(submitter, d, keccak256("a"));
        vm.expectRevert(abi.encodeWithSelector(NotChallenger.selector, other));
        respondVMAs(other, d, true);
    }

    function test_respondVM_wrongPhase_reverts() public {
        (, uint256 d) = disputeHonest();
        postAs(d, keccak256("s1"));
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.VM, Phase.Graph));
        respondVMAs(challenger, d, true);
    }

    function test_respondVM_converged_reverts() public {
        (, uint256 d,,) = toStep(true);
        vm.expectRevert(abi.encodeWithSelector(BisectionConverged.selector, 24, 25));
        respondVMAs(challenger, d, true);
    }

    function test_respondVM_clockSpent_reverts() public {
        (, uint256 d,,) = toVM();
        postVMAs(submitter, d, keccak256("a"));
        uint256 deadline = game.dispute(d).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ClockSpent.selector, deadline));
        respondVMAs(challenger, d, true);
    }

    // ======================================================================================================
    // resolveStep
    // ======================================================================================================

    function test_resolveStep_submitterRight_succeeds() public {
        (uint256 id, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(false);
        vm.expectEmit(address(game));
        emit DisputeGame.DisputeResolved(d, Side.Submitter, Reason.Step);
        resolveWithTruth(d, code, mem, other); // anyone
        assertResolved(d, Side.Submitter, Reason.Step);
        assertEq(game.credits(submitter), CHALLENGE_BOND, "the losing challenger's bond");
        assertEq(game.credits(challenger), 0);
        assertEq(game.submission(id).openDisputes, 0);
        assertEq(game.submission(id).winners, 0);
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Pending));
        assertEq(game.burned(), 0);
    }

    function test_resolveStep_submitterWrong_succeeds() public {
        // The challenger agrees with every VM state but the last; the submitter posted a wrong one at the end.
        (uint256 id, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toVM();
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS);
        bytes32[] memory claimed = Tracer.copy(honest);
        claimed[ToyModels.ADD_STEPS - 1] = keccak256("wrong");
        playVM(d, claimed, honest);
        assertEq(game.dispute(d).lo, ToyModels.ADD_STEPS - 2);
        assertEq(game.dispute(d).hi, ToyModels.ADD_STEPS - 1);
        vm.expectEmit(address(game));
        emit DisputeGame.DisputeResolved(d, Side.Challenger, Reason.Step);
        vm.expectEmit(address(game));
        emit DisputeGame.SubmissionRejected(id, d);
        vm.expectEmit(address(game));
        emit DisputeGame.BondForfeited(id, 1, MIN_BOND / 2, MIN_BOND / 2);
        resolveWithTruth(d, code, mem, challenger);
        assertResolved(d, Side.Challenger, Reason.Step);
        assertEq(game.credits(challenger), CHALLENGE_BOND, "its own bond back at the ruling");
        assertEq(game.burned(), MIN_BOND / 2, "half the submitter's bond burned (a counter)");
        assertEq(address(game).balance, MIN_BOND + CHALLENGE_BOND, "nothing left the contract");
        Submission memory s = game.submission(id);
        assertEq(uint8(s.status), uint8(SubmissionStatus.Rejected));
        assertEq(s.winners, 1);
        assertEq(s.rewardShare, MIN_BOND / 2);
        game.settle(d);
        assertEq(game.credits(challenger), CHALLENGE_BOND + MIN_BOND / 2, "plus the other half (settle)");
    }

    function test_resolveStep_notConverged_reverts() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toVM();
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 0);
        vm.expectRevert(abi.encodeWithSelector(BisectionNotConverged.selector, 0, 25));
        game.resolveStep(d, pre, proof);
    }

    function test_resolveStep_wrongPhase_reverts() public {
        (, uint256 d) = disputeHonest();
        VMState memory pre;
        StepProof memory proof;
        vm.expectRevert(abi.encodeWithSelector(WrongPhase.selector, Phase.VM, Phase.Graph));
        game.resolveStep(d, pre, proof);
    }

    function test_resolveStep_preStateMismatch_reverts() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(true);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 23); // lo is 24
        vm.expectRevert(abi.encodeWithSelector(PreStateMismatch.selector, game.dispute(d).loHash, hashState(pre)));
        game.resolveStep(d, pre, proof);
    }

    function test_resolveStep_twice_reverts() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(true);
        resolveWithTruth(d, code, mem, challenger);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 24);
        vm.expectRevert(abi.encodeWithSelector(DisputeOver.selector, d));
        game.resolveStep(d, pre, proof);
    }

    function test_resolveStep_clockSpent_reverts() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(true);
        uint256 deadline = game.dispute(d).deadline;
        vm.warp(deadline);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 24);
        vm.expectRevert(abi.encodeWithSelector(ClockSpent.selector, deadline));
        game.resolveStep(d, pre, proof);
    }

    function test_resolveStep_lastSecond_succeeds() public {
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(true);
        vm.warp(game.dispute(d).deadline - 1);
        resolveWithTruth(d, code, mem, other);
        assertResolved(d, Side.Submitter, Reason.Step);
    }

    function test_resolveStep_afterSubmissionRejected_succeeds() public {
        // Two disputes on the honest result. The submitter neglects d (and loses it on time: rejected) but plays d2,
        // which still runs to the judge's ruling after the rejection: the submitter wins it and gets its bond.
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK / 2);
        playGraph(d2, truth, truth, 1);
        bytes32[] memory code = ToyModels.chainCode(2, false);
        (TransitionProof memory tp, bytes32[] memory mem) = honestTransition(chainToy(), 2, truth, code);
        vm.prank(submitter);
        game.startVM(d2, tp);
        bytes32[] memory honest = Tracer.hashes(judge, code, mem, ToyModels.ADD_STEPS);
        playVM(d2, honest, new bytes32[](honest.length)); // d2's challenger disagrees with everything
        vm.warp(block.timestamp + CLOCK / 2);
        game.timeout(d);
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Rejected));
        assertEq(game.submission(id).rewardShare, 0, "not split while d2 is open");
        assertEq(uint8(game.dispute(d).next), uint8(Move.None), "nothing to settle yet");

        resolveWithTruth(d2, code, mem, submitter);
        assertResolved(d2, Side.Submitter, Reason.Step);
        assertEq(game.credits(submitter), CHALLENGE_BOND, "d2's losing bond, not refunded to its challenger");
        assertEq(game.credits(other), 0);
        assertEq(game.submission(id).rewardShare, MIN_BOND / 2, "split at the last ruling: one winner");
        assertEq(uint8(game.dispute(d).next), uint8(Move.Settle));
    }

    function test_resolveStep_badProof_reverts() public {
        // The judge's own checks surface: a wrong instruction leaf is not a step.
        (, uint256 d, bytes32[] memory code, bytes32[] memory mem) = toStep(true);
        (VMState memory pre, StepProof memory proof) = Tracer.stateAt(judge, code, mem, 24);
        proof.instruction = Asm.addi(1, 1, 99);
        vm.expectRevert(); // InvalidCodeProof, raised by the judge
        game.resolveStep(d, pre, proof);
    }

    /// @dev A one-node model whose program is a bare HALT (1 step) but whose spec claims T = 2, so the agreed
    ///      state at lo can be HALTED. The submitter claims final = the halted state with step 2, and posts at
    ///      step 1 either the true halted state or (postFinal) the final state itself; the challenger agrees.
    function haltedAtLo(bool postFinal) internal returns (uint256 d, VMState memory halted1, VMState memory fin) {
        NodeSpec[] memory specs = new NodeSpec[](1);
        specs[0] = ToyModels.chainSpec(0, true);
        bytes32[] memory code = new bytes32[](1); // HALT
        specs[0].codeRoot = SmallTree.root(code, 16);
        specs[0].steps = 2;
        Toy memory t = registerSpecs(specs, 1);
        bytes32[] memory world = new bytes32[](2);
        world[0] = Asm.leaf(input8(5));
        uint256 id = submitWorld(t, one8(input8(5)), world, [int32(0), 0, 0, 0, 0, 0, 0, 0], submitter, MIN_BOND);
        d = challengeAs(id, challenger);
        bytes32[] memory mem = ToyModels.nodeMemory(specs[0], world);
        (halted1,) = Tracer.stateAt(judge, code, mem, 1);
        assertEq(halted1.status, STATUS_HALTED);
        fin = abi.decode(abi.encode(halted1), (VMState));
        fin.step = 2;
        vm.prank(submitter);
        game.startVM(d, ToyModels.transition(specs, 0, world, 1, fin, mem));
        postVMAs(submitter, d, hashState(postFinal ? fin : halted1));
        respondVMAs(challenger, d, true);
    }

    function test_resolveStep_haltedPre_challengerWins_succeeds() public {
        // lo = HALTED at step 1; its successor is itself, not the claimed HALTED-at-step-2.
        (uint256 d, VMState memory halted1,) = haltedAtLo(false);
        StepProof memory none;
        game.resolveStep(d, halted1, none);
        assertResolved(d, Side.Challenger, Reason.Step);
    }

    function test_resolveStep_haltedPre_submitterWins_succeeds() public {
        // The challenger agreed to the final state itself at step 1: lo and hi hold the same halted state.
        (uint256 d,, VMState memory fin) = haltedAtLo(true);
        StepProof memory none;
        game.resolveStep(d, fin, none);
        assertResolved(d, Side.Submitter, Reason.Step);
    }

    // ======================================================================================================
    // timeout
    // ======================================================================================================

    function test_timeout_submitterSilent_challengerWins_succeeds() public {
        (uint256 id, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        vm.expectEmit(address(game));
        emit DisputeGame.DisputeResolved(d, Side.Challenger, Reason.Timeout);
        vm.expectEmit(address(game));
        emit DisputeGame.SubmissionRejected(id, d);
        vm.expectEmit(address(game));
        emit DisputeGame.BondForfeited(id, 1, MIN_BOND / 2, MIN_BOND / 2);
        vm.prank(other);
        game.timeout(d);
        assertResolved(d, Side.Challenger, Reason.Timeout);
        assertEq(game.credits(challenger), CHALLENGE_BOND);
        assertEq(game.burned(), MIN_BOND / 2);
        assertEq(uint8(game.dispute(d).next), uint8(Move.Settle));
    }

    function test_timeout_challengerSilent_submitterWins_succeeds() public {
        (uint256 id, uint256 d) = disputeHonest();
        postAs(d, keccak256("s1"));
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        assertResolved(d, Side.Submitter, Reason.Timeout);
        assertEq(game.credits(submitter), CHALLENGE_BOND);
        assertEq(uint8(game.submission(id).status), uint8(SubmissionStatus.Pending));
    }

    function test_timeout_tooEarly_reverts(uint256 early) public {
        (, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + 600);
        postAs(d, keccak256("s1")); // the submitter used 600 s, and earned INCREMENT
        vm.warp(block.timestamp + 300);
        respondAs(d, true); // the challenger used 300 s, and earned INCREMENT (capped at CLOCK)
        uint256 deadline = block.timestamp + CLOCK - 600 + INCREMENT;
        assertEq(game.dispute(d).deadline, deadline);
        vm.warp(deadline - bound(early, 1, CLOCK - 600 + INCREMENT));
        vm.expectRevert(abi.encodeWithSelector(ClockNotSpent.selector, deadline));
        game.timeout(d);
    }

    function test_timeout_resolved_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        vm.expectRevert(abi.encodeWithSelector(DisputeOver.selector, d));
        game.timeout(d);
    }

    function test_timeout_afterSubmissionRejected_succeeds() public {
        // Both disputes' submitter clocks run out; the second timeout is a ruling of its own (no refund, no skip).
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        assertEq(game.submission(id).rewardShare, 0, "d2 still open");
        vm.expectEmit(address(game));
        emit DisputeGame.BondForfeited(id, 2, MIN_BOND / 4, MIN_BOND / 2);
        game.timeout(d2);
        assertResolved(d2, Side.Challenger, Reason.Timeout);
        assertEq(game.submission(id).winners, 2);
        assertEq(game.credits(other), CHALLENGE_BOND);
    }

    function test_timeout_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownDispute.selector, 3));
        game.timeout(3);
    }

    // ======================================================================================================
    // settle
    // ======================================================================================================

    function test_settle_succeeds() public {
        (uint256 id, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        assertEq(uint8(game.dispute(d).next), uint8(Move.Settle));
        assertEq(game.dispute(d).deadline, 0);
        vm.expectEmit(address(game));
        emit DisputeGame.Settled(d, MIN_BOND / 2);
        vm.prank(other); // anyone
        game.settle(d);
        assertEq(uint8(game.dispute(d).next), uint8(Move.None));
        assertEq(game.credits(challenger), CHALLENGE_BOND + MIN_BOND / 2);
        assertEq(game.credits(other), 0);
        assertEq(game.credits(submitter), 0);
        assertEq(game.burned(), MIN_BOND / 2);
        assertEq(game.submission(id).openDisputes, 0);
        assertEq(address(game).balance, MIN_BOND + CHALLENGE_BOND, "credits and burns are bookkeeping only");
    }

    function test_settle_twoWinnersShareHalf_succeeds() public {
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        game.timeout(d2);
        game.settle(d);
        game.settle(d2);
        assertEq(game.credits(challenger), CHALLENGE_BOND + MIN_BOND / 4);
        assertEq(game.credits(other), CHALLENGE_BOND + MIN_BOND / 4);
        assertEq(game.burned(), MIN_BOND / 2);
        assertEq(game.submission(id).rewardShare, MIN_BOND / 4);
    }

    function test_settle_remainderBurned_succeeds() public {
        // A bond of 1 ether + 1 wei over 3 winners: half (rounded down) burned, the rest split, the remainder burned.
        uint256 bond = 1 ether + 1;
        uint256 id = submitWorld(chainToy(), chainInputs(), truth, output, submitter, bond);
        uint256 d0 = challengeAs(id, challenger);
        uint256 d1 = challengeAs(id, other);
        uint256 d2 = challengeAs(id, challenger);
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d0);
        game.timeout(d1);
        game.timeout(d2);
        uint256 share = (bond - bond / 2) / 3;
        assertEq(game.submission(id).rewardShare, share);
        assertEq(game.burned(), bond - 3 * share);
        game.settle(d0);
        game.settle(d1);
        game.settle(d2);
        assertEq(game.credits(challenger) + game.credits(other) + game.burned(), bond + 3 * CHALLENGE_BOND);
    }

    function test_settle_disputesOpen_reverts() public {
        // The share is fixed only when the last dispute on the rejected submission is ruled.
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        vm.warp(block.timestamp + CLOCK / 2);
        postAs(d2, keccak256("s1"));
        vm.warp(block.timestamp + CLOCK / 2);
        game.timeout(d);
        assertEq(uint8(game.dispute(d).next), uint8(Move.None));
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d));
        game.settle(d);
    }

    function test_settle_submitterWon_reverts() public {
        (, uint256 d) = disputeHonest();
        postAs(d, keccak256("s1"));
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d));
        game.settle(d);
    }

    function test_settle_loserOfRejectedSubmission_reverts() public {
        // d2's challenger lost its own ruling: no share, though another dispute rejected the submission.
        (uint256 id, uint256 d) = disputeHonest();
        uint256 d2 = challengeAs(id, other);
        postAs(d2, keccak256("s1"));
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d); // the submitter lost d
        game.timeout(d2); // d2's challenger never answered: it lost d2
        assertResolved(d2, Side.Submitter, Reason.Timeout);
        assertEq(game.submission(id).winners, 1);
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d2));
        game.settle(d2);
        game.settle(d);
        assertEq(game.credits(other), 0, "the loser's bond is not refunded");
        assertEq(game.credits(submitter), CHALLENGE_BOND, "it went to the submitter");
        assertEq(game.credits(challenger), CHALLENGE_BOND + MIN_BOND / 2);
    }

    function test_settle_unresolved_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d));
        game.settle(d);
    }

    function test_settle_twice_reverts() public {
        (, uint256 d) = disputeHonest();
        vm.warp(block.timestamp + CLOCK);
        game.timeout(d);
        game.settle(d);
        vm.expectRevert(abi.encodeWithSelector(NothingToSettle.selector, d));
        game.settle(d);
    }

    function test_settle_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownDispute.selector, 4));
        game.settle(4);
    }

    // ======================================================================================================
    // withdraw
    // ======================================================================================================

    function test_withdraw_succeeds() public {
        uint256 id = submitHonest();
        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        uint256 before = submitter.balance;
        vm.expectEmit(address(game));
        emit DisputeGame.Withdrawn(submitter, MIN_BOND);
        vm.prank(submitter);
        assertEq(game.withdraw(), MIN_BOND);
        assertEq(submitter.balance, before + MIN_BOND);
        assertEq(game.credits(submitter), 0);
        assertEq(address(game).balance, 0);
    }

    function test_withdraw_nothing_reverts() public {
        vm.expectRevert(NothingToWithdraw.selector);
        vm.prank(other);
        game.withdraw();
    }

    function test_withdraw_reentrantReceiverPaidOnce_succeeds() public {
        Reenterer r = new Reenterer(game);
        vm.deal(address(r), 10 ether);
        uint256 id = r.submit(
            chainId, words(input8(2)), words(output), ToyModels.slotProof(truth, 4, 3), ToyModels.graphState(truth, 4)
        );
        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        uint256 before = address(r).balance;
        r.withdraw();
        assertEq(address(r).balance, before + MIN_BOND);
        assertEq(r.reentered(), 1);
        assertFalse(r.reentrySucceeded());
        assertEq(address(game).balance, 0);
    }

    function test_withdraw_receiverRejects_reverts() public {
        Reenterer r = new Reenterer(game);
        vm.deal(address(r), 10 ether);
        uint256 id = r.submit(
            chainId, words(input8(2)), words(output), ToyModels.slotProof(truth, 4, 3), ToyModels.graphState(truth, 4)
        );
        vm.warp(block.timestamp + WINDOW + 1);
        game.finalize(id);
        r.setRefuse(true);
        vm.expectRevert(abi.encodeWithSelector(TransferFailed.selector, address(r), MIN_BOND));
        r.withdraw();
        assertEq(game.credits(address(r)), MIN_BOND, "the credit stays");
    }

    // ======================================================================================================
    // Views
    // ======================================================================================================

    function test_submission_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownSubmission.selector, 0));
        game.submission(0);
    }

    function test_dispute_unknown_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownDispute.selector, 0));
        game.dispute(0);
    }

    function test_dispute_clocksRunDown_succeeds(uint256 elapsed) public {
        (, uint256 d) = disputeHonest();
        elapsed = bound(elapsed, 0, 3 * CLOCK);
        vm.warp(block.timestamp + elapsed);
        DisputeView memory v = game.dispute(d);
        assertEq(v.submitterClock, elapsed >= CLOCK ? 0 : CLOCK - elapsed);
        assertEq(v.challengerClock, CLOCK);
        assertEq(v.deadline, v.createdAt + CLOCK);
    }
}

/// @dev A contract account that submits, and on receiving a withdrawal tries to withdraw again (or refuses).
contract Reenterer {
    DisputeGame internal immutable game;
    uint256 public reentered;
    bool public reentrySucceeded;
    bool internal refuse;

    constructor(DisputeGame game_) {
        game = game_;
    }

    function submit(bytes32 modelId, bytes memory input, bytes memory out, bytes32[] memory siblings, bytes32 finalState)
        external
        returns (uint256)
    {
        uint256[] memory ups = new uint256[](1);
        ups[0] = game.beginInput(input);
        return game.submit{value: 1 ether}(modelId, ups, out, finalState, siblings);
    }

    function setRefuse(bool r) external {
        refuse = r;
    }

    function withdraw() external {
        game.withdraw();
    }

    receive() external payable {
        require(!refuse, "refused");
        if (msg.sender != address(game)) return;
        reentered++;
        try game.withdraw() {
            reentrySucceeded = true;
        } catch {}
    }
}
