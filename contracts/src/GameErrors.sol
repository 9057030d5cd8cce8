// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side} from "./Clock.sol";
import {Phase, SubmissionStatus} from "./GameTypes.sol";

// The errors of the model commitment, the registry and the dispute game (docs/GAME.md). File-level, like the
// judge's (VMErrors.sol, whose BadProofLength and PreStateMismatch the game raises too).

// ----------------------------------------------------------------------------------------------------------
// Commitments
// ----------------------------------------------------------------------------------------------------------

/// @notice A region's word address is not a multiple of its size, 8 * 2^height words.
/// @param base The region's word address.
/// @param height The region's subtree height.
error RegionMisaligned(uint256 base, uint256 height);

/// @notice A region does not fit in the memory tree (height above the tree's depth, or past its last leaf).
/// @param base The region's word address.
/// @param height The region's subtree height.
error RegionOutOfRange(uint256 base, uint256 height);

/// @notice Two regions share memory (one is the same as, or contains, the other).
/// @param base The word address of the region placed second (at the larger or equal height).
/// @param height Its subtree height.
error RegionsOverlap(uint256 base, uint256 height);

/// @notice A packed word string (4 bytes per word) is not whole words, or holds more words than its tree.
/// @param length Its length in bytes.
/// @param height The tree height it was hashed at.
error PackedWordsMalformed(uint256 length, uint256 height);

/// @notice An array does not have one entry per item it describes (input roots per graph input, slot roots or
///         slot proofs per node input).
/// @param expected The number of items.
/// @param actual The array's length.
error InputCountMismatch(uint256 expected, uint256 actual);

// ----------------------------------------------------------------------------------------------------------
// ModelRegistry
// ----------------------------------------------------------------------------------------------------------

/// @notice A model must have at least one node (the graph bisection runs over nodes).
error EmptyModel();

/// @notice The model's output slot is not one of its numInputs + numNodes slots.
/// @param outputSlot The output slot.
/// @param numSlots The number of slots.
error OutputSlotOutOfRange(uint256 outputSlot, uint256 numSlots);

/// @notice The model is larger than the game's bounds allow (nodes, graph inputs, inputs per node, steps per
///         node): each bound keeps every forced move under its gas and calldata caps (docs/GAME.md).
/// @param what Which bound: "nodes", "graph inputs", "node inputs", "steps", "tiles", "tile steps".
/// @param value The model's value.
/// @param max The bound.
error ModelTooLarge(string what, uint256 value, uint256 max);

/// @notice A tensor's word count is zero or does not fit VM memory.
/// @param words The word count.
error TensorSizeOutOfRange(uint256 words);

/// @notice Node `node` reads slot `slot`, which is not produced before it runs (a later node's, or its own).
error SlotNotProducedYet(uint256 node, uint256 slot);

/// @notice A region or the output does not have the tree height of the slot it holds, so its root could not be
///         opened word by word.
/// @param slot The slot.
/// @param expected The slot's tensor height.
/// @param actual The region's (or output's) height.
error SlotHeightMismatch(uint256 slot, uint256 expected, uint256 actual);

/// @notice An untiled node (numTiles = 0) has a nonzero tilesRoot, windowBase or windowHeight.
/// @param node The node.
error TileFieldsOnUntiledNode(uint256 node);

/// @notice A tiled node (numTiles >= 1) has a nonzero codeRoot or steps: its programs are its tiles'.
/// @param node The node.
error ProgramOnTiledNode(uint256 node);

/// @notice No model is registered under this id.
/// @param modelId The id asked for.
error ModelNotRegistered(bytes32 modelId);

/// @notice No registration draft has this id (RegistrationDrafts).
error UnknownDraft(bytes32 draftId);

/// @notice Only the account that began a registration draft may append to it.
error NotDraftOwner(address caller);

/// @notice A draft's next chunk must hold `expected` specs (2^chunkLog, or what remains), not `actual`.
error DraftChunkMismatch(bytes32 draftId, uint256 expected, uint256 actual);

/// @notice A draft is finished only when all its specs are appended: `added` of `numNodes` so far.
error DraftIncomplete(bytes32 draftId, uint256 added, uint256 numNodes);

/// @notice A draft's specs give the node tree root `computed`, not the `announced` one it was begun with.
error DraftRootMismatch(bytes32 draftId, bytes32 announced, bytes32 computed);

/// @notice A chunk was sent for position `first`, but the draft has `added` specs: it is a resend, or out of order.
error DraftPositionMismatch(bytes32 draftId, uint256 added, uint256 first);

// ----------------------------------------------------------------------------------------------------------
// DisputeGame: submissions and challenges
// ----------------------------------------------------------------------------------------------------------

/// @notice The submission's bond is below the minimum.
/// @param minBond The minimum bond.
/// @param value The value sent.
error BondTooLow(uint256 minBond, uint256 value);

/// @notice A deployment parameter is out of its range (docs/GAME.md, "Parameters").
/// @param what Which parameter.
error InvalidParameter(string what);

/// @notice No input upload has this id.
error UnknownUpload(uint256 upload);

/// @notice Only the account that began an upload appends to it.
error NotUploader(address caller);

/// @notice An upload's chunks are whole CHUNK_WORDS words each except the last; this one came after a short
///         chunk, or is empty or longer than a chunk.
/// @param upload The upload.
/// @param words Words the upload had.
/// @param chunkBytes The rejected chunk's length in bytes.
error BadChunk(uint256 upload, uint256 words, uint256 chunkBytes);

/// @notice An upload does not hold exactly the model's word count for that input.
/// @param input The graph input.
/// @param expected The model's word count.
/// @param actual The upload's.
error InputSizeMismatch(uint256 input, uint256 expected, uint256 actual);

/// @notice The posted output is not exactly the model's output word count.
error OutputSizeMismatch(uint256 expected, uint256 actual);

/// @notice A challenge's bond must equal the game's challenge bond.
/// @param required The game's challenge bond.
/// @param value The value sent.
error BondMismatch(uint256 required, uint256 value);

/// @notice The posted output's root is not at the model's output slot under the posted final graph state.
/// @param outputRoot tensorRoot of the posted output.
error OutputNotInFinalState(bytes32 outputRoot);

/// @notice No submission has this id.
/// @param id The id asked for.
error UnknownSubmission(uint256 id);

/// @notice No dispute has this id.
/// @param d The id asked for.
error UnknownDispute(uint256 d);

/// @notice The submission is no longer pending (rejected or finalized).
/// @param id The submission.
/// @param status Its status.
error SubmissionNotPending(uint256 id, SubmissionStatus status);

/// @notice The submission's challenge window is over.
/// @param windowEnd The last second of the window.
error ChallengeWindowClosed(uint256 windowEnd);

/// @notice The submission's challenge window is not over yet.
/// @param windowEnd The last second of the window.
error ChallengeWindowOpen(uint256 windowEnd);

/// @notice The submission still has disputes open.
/// @param count How many.
error DisputesOpen(uint256 count);

// ----------------------------------------------------------------------------------------------------------
// DisputeGame: moves
// ----------------------------------------------------------------------------------------------------------

/// @notice The dispute is already resolved.
/// @param d The dispute.
error DisputeOver(uint256 d);

/// @notice The move belongs to another phase.
/// @param expected The phase the move needs.
/// @param actual The dispute's phase.
error WrongPhase(Phase expected, Phase actual);

/// @notice It is the other side's turn.
/// @param turn The side to move.
error WrongTurn(Side turn);

/// @notice Only the submitter makes this move.
/// @param caller The caller.
error NotSubmitter(address caller);

/// @notice Only the challenger makes this move.
/// @param caller The caller.
error NotChallenger(address caller);

/// @notice The mover's clock is spent: the only move left is timeout.
/// @param deadline When it was spent.
error ClockSpent(uint256 deadline);

/// @notice settle on a dispute with no reward to credit (not won by its challenger, already settled, or the
///         submission still has disputes open).
error NothingToSettle(uint256 d);

/// @notice timeout before the mover's clock is spent.
/// @param deadline When it will be.
error ClockNotSpent(uint256 deadline);

/// @notice The bisection is down to one position step: the next move is startVM, startTiles, startTileVM or
///         resolveStep.
/// @param lo The agreed position.
/// @param hi The disputed position.
error BisectionConverged(uint64 lo, uint64 hi);

/// @notice The bisection is not down to one position step yet.
/// @param lo The agreed position.
/// @param hi The disputed position.
error BisectionNotConverged(uint64 lo, uint64 hi);

/// @notice A post carries the wrong number of states: the cut of [lo, hi] into min(k, hi - lo) parts has one inner
///         position fewer than it has parts, and a post gives one state per inner position.
/// @param expected The cut's inner positions.
/// @param actual The states posted.
error PostedStateCount(uint256 expected, uint256 actual);

/// @notice An answer resupplies states other than the ones the submitter posted (keccak256 of abi.encodePacked).
/// @param posted The posted states' hash.
/// @param given The resupplied states' hash.
error PostedStatesMismatch(bytes32 posted, bytes32 given);

/// @notice An answer names a part the cut does not have.
/// @param part The part named.
/// @param parts The cut's parts (parts 0 .. parts - 1).
error PartOutOfRange(uint256 part, uint256 parts);

// ----------------------------------------------------------------------------------------------------------
// DisputeGame: the transition (startVM)
// ----------------------------------------------------------------------------------------------------------

/// @notice The node spec and siblings do not give the model's nodesRoot at the disputed node's index.
error InvalidNodeProof();

/// @notice A slot input's root and siblings do not give the agreed graph state S_lo at the input's slot.
/// @param input The index of the input in spec.inputs.
error InvalidSlotProof(uint256 input);

/// @notice The node's program takes no step: no halted state can follow its initial RUNNING state.
error ZeroSteps();

/// @notice The claimed final VM state is not HALTED.
/// @param status Its status.
error FinalNotHalted(uint8 status);

/// @notice The claimed final VM state's step count is not the node's T.
/// @param expected spec.steps.
/// @param actual The final state's step.
error WrongStepCount(uint64 expected, uint64 actual);

/// @notice The claimed final VM state runs another program.
/// @param expected spec.codeRoot.
/// @param actual The final state's codeRoot.
error CodeRootMismatch(bytes32 expected, bytes32 actual);

/// @notice The output root and siblings do not give the final state's memRoot at the output region.
error InvalidOutputProof();

/// @notice startVM on a tiled node: its transition is startTiles.
/// @param node The disputed node.
error NodeTiled(uint256 node);

/// @notice startTiles on an untiled node: its transition is startVM.
/// @param node The disputed node.
error NodeNotTiled(uint256 node);

/// @notice The tile spec and siblings do not give the node's tilesRoot at the disputed tile's index.
error InvalidTileProof();

/// @notice The window root and siblings do not give the agreed tile state sigma_i at the node's window region.
error InvalidWindowProof();

/// @notice The claimed final VM state of a tile's run does not hold the submitter's next tile state.
/// @param expected sigma_{i+1}, the submitter's tile state at hi.
/// @param actual The final state's memRoot.
error FinalMemoryMismatch(bytes32 expected, bytes32 actual);

/// @notice The disputed node's output slot is not empty in the agreed graph state S_lo.
/// @param slot The slot numInputs + j.
error OutputSlotNotEmpty(uint256 slot);

/// @notice The submitter's S_hi is not S_lo with the node's output root written to its slot.
/// @param claimed The submitter's S_hi.
/// @param computed S_lo with the output root at slot numInputs + j.
error InconsistentGraphState(bytes32 claimed, bytes32 computed);

// ----------------------------------------------------------------------------------------------------------
// DisputeGame: payouts
// ----------------------------------------------------------------------------------------------------------

/// @notice The caller has no credit to withdraw.
error NothingToWithdraw();

/// @notice Sending a withdrawal failed.
/// @param to The recipient.
/// @param amount The amount.
error TransferFailed(address to, uint256 amount);
