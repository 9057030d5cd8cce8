// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Model} from "./ModelTypes.sol";
import {Commitments} from "./Commitments.sol";
import {EmptyModel, OutputSlotOutOfRange, ModelNotRegistered} from "./GameErrors.sol";

/// @title ModelRegistry
/// @notice Model commitments, registered once and looked up by id (docs/GAME.md, "Model commitment").
/// @dev Registration is idempotent: registering a registered model returns its id again and emits nothing.
///      Anyone may register; an id is a hash of the whole commitment, so nobody can register another model under
///      an existing id.
contract ModelRegistry {
    /// @dev Registered models by id; a registered model has numNodes >= 1, an empty entry numNodes = 0.
    mapping(bytes32 => Model) internal _models;

    /// @notice A model was registered for the first time.
    /// @param modelId Its id, Commitments.modelId(model).
    /// @param model The commitment.
    event ModelRegistered(bytes32 indexed modelId, Model model);

    /// @notice Registers `m` (once) and returns its id.
    /// @dev Reverts EmptyModel when numNodes = 0 and OutputSlotOutOfRange when outputSlot >= numInputs + numNodes.
    function register(Model calldata m) external returns (bytes32 modelId) {
        // INVARIANT: the graph bisection runs over at least one node.
        if (m.numNodes == 0) revert EmptyModel();
        uint256 numSlots = uint256(m.numInputs) + m.numNodes;
        // INVARIANT: the output is one of the model's slots, so a submission's output proof has a leaf to land on.
        if (m.outputSlot >= numSlots) revert OutputSlotOutOfRange(m.outputSlot, numSlots);
        modelId = Commitments.modelId(m);
        if (_models[modelId].numNodes != 0) return modelId;
        _models[modelId] = m;
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
