// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {NodeSpec, Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {ModelValidator} from "./ModelValidator.sol";
import {RegistrationDrafts} from "./RegistrationDrafts.sol";
import {ModelNotRegistered} from "./GameErrors.sol";

/// @title ModelRegistry
/// @notice Model commitments, registered once and looked up by id (docs/GAME.md, "Model commitment").
/// @dev Registration takes every node spec, has the validator check that the model is defendable and compute
///      the node tree, so a registered nodesRoot only ever commits to checked specs. It is idempotent:
///      registering a registered model returns its id again and emits nothing. Anyone may register; an id is a
///      hash of the whole commitment, so nobody can register another model under an existing id.
contract ModelRegistry {
    /// @notice Registration's checks.
    ModelValidator public immutable modelValidator;
    /// @notice Registration in chunks, for models whose specs do not fit one transaction (finishRegistration).
    RegistrationDrafts public immutable registrationDrafts;

    /// @dev Registered models by id; a registered model has numNodes >= 1, an empty entry numNodes = 0.
    mapping(bytes32 => Model) internal _models;

    /// @notice A model was registered for the first time.
    /// @param modelId Its id, Commitments.modelId(model).
    /// @param model The commitment.
    event ModelRegistered(bytes32 indexed modelId, Model model);

    constructor() {
        modelValidator = new ModelValidator();
        registrationDrafts = new RegistrationDrafts(modelValidator);
    }

    /// @notice Registers the model with these node specs and shapes (once) and returns its id.
    /// @param nodes Every node's spec, in order; node j writes slot inputWords.length + j.
    /// @param inputWords Each graph input's word count (slot i holds input i).
    /// @param outputSlot The slot holding the model's output.
    /// @param outputWords The output's word count.
    /// @dev Reverts with the validator's first failed check (ModelValidator.validate).
    function register(NodeSpec[] calldata nodes, uint32[] calldata inputWords, uint32 outputSlot, uint32 outputWords)
        external
        returns (bytes32 modelId)
    {
        Model memory m;
        // INVARIANT: every registered model is defendable: each position of its game can be played by the honest
        // side (ModelValidator.validate), and its node tree commits to exactly the specs checked. The arguments are
        // validate's own, forwarded as they came (re-encoding the specs here would cost code size and gas).
        (bool ok, bytes memory ret) =
            address(modelValidator).staticcall(bytes.concat(ModelValidator.validate.selector, msg.data[4:]));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        m.nodesRoot = abi.decode(ret, (bytes32));
        // Safe: the validator bounds the node count far below 2^32.
        m.numNodes = uint32(nodes.length);
        m.outputSlot = outputSlot;
        m.outputWords = outputWords;
        m.inputWords = inputWords;
        return _store(m);
    }

    /// @notice Registers the model of a finished registration draft (RegistrationDrafts: begun, every spec
    ///         appended and checked there) and returns its id: the id `register` gives the same specs.
    function finishRegistration(bytes32 draftId) external returns (bytes32 modelId) {
        // INVARIANT: a model registered from a draft is as checked as one registered at once: the drafts contract
        // is this registry's own, and it completes a draft only when every spec passed the validator's checks.
        return _store(registrationDrafts.complete(draftId));
    }

    /// @dev Stores `m` under its id unless already registered (then returns the id and emits nothing).
    function _store(Model memory m) internal returns (bytes32 modelId) {
        modelId = Commitments.modelId(m);
        Model storage stored = _models[modelId];
        if (stored.numNodes != 0) return modelId;
        stored.nodesRoot = m.nodesRoot;
        stored.numNodes = m.numNodes;
        stored.outputSlot = m.outputSlot;
        stored.outputWords = m.outputWords;
        stored.inputWords = m.inputWords;
        emit ModelRegistered(modelId, m);
    }

    /// @notice The model registered under `modelId`.
    /// @dev Reverts ModelNotRegistered for an unknown id.
    function model(bytes32 modelId) external view returns (Model memory) {
        return _registered(modelId);
    }

    /// @notice Whether a model is registered under `modelId`.
    function isRegistered(bytes32 modelId) external view returns (bool) {
        return _models[modelId].numNodes != 0;
    }

    /// @dev The registered model, or a ModelNotRegistered revert.
    function _registered(bytes32 modelId) internal view returns (Model storage m) {
        m = _models[modelId];
        if (m.numNodes == 0) revert ModelNotRegistered(modelId);
    }
}
