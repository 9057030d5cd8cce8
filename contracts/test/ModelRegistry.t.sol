// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {Model} from "../src/ModelTypes.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {EmptyModel, OutputSlotOutOfRange, ModelNotRegistered} from "../src/GameErrors.sol";

contract ModelRegistryTest is Test {
    ModelRegistry internal registry;

    function setUp() public {
        registry = new ModelRegistry();
    }

    function sample() internal pure returns (Model memory) {
        return Model({nodesRoot: keccak256("nodes"), numNodes: 5, numInputs: 2, outputSlot: 6});
    }

    function test_register_succeeds() public {
        Model memory m = sample();
        bytes32 expected = keccak256(abi.encode(m.nodesRoot, m.numNodes, m.numInputs, m.outputSlot));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelRegistered(expected, m);
        assertEq(registry.register(m), expected);
        assertTrue(registry.isRegistered(expected));
        Model memory got = registry.model(expected);
        assertEq(got.nodesRoot, m.nodesRoot);
        assertEq(got.numNodes, m.numNodes);
        assertEq(got.numInputs, m.numInputs);
        assertEq(got.outputSlot, m.outputSlot);
    }

    function test_register_idempotent_succeeds() public {
        bytes32 id = registry.register(sample());
        vm.recordLogs();
        assertEq(registry.register(sample()), id);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 0, "no second event");
    }

    function test_register_anyValidShape_succeeds(bytes32 root, uint32 n, uint32 k, uint32 out) public {
        n = uint32(bound(n, 1, type(uint32).max));
        uint256 slots = uint256(n) + k;
        out = uint32(bound(out, 0, slots - 1 > type(uint32).max ? type(uint32).max : slots - 1));
        bytes32 id = registry.register(Model({nodesRoot: root, numNodes: n, numInputs: k, outputSlot: out}));
        assertTrue(registry.isRegistered(id));
    }

    function test_register_emptyModel_reverts() public {
        Model memory m = sample();
        m.numNodes = 0;
        vm.expectRevert(EmptyModel.selector);
        registry.register(m);
    }

    function test_register_outputSlotOutOfRange_reverts(uint32 out) public {
        Model memory m = sample(); // 7 slots
        out = uint32(bound(out, 7, type(uint32).max));
        m.outputSlot = out;
        vm.expectRevert(abi.encodeWithSelector(OutputSlotOutOfRange.selector, out, 7));
        registry.register(m);
    }

    function test_model_unregistered_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelNotRegistered.selector, bytes32(uint256(1))));
        registry.model(bytes32(uint256(1)));
        assertFalse(registry.isRegistered(bytes32(uint256(1))));
    }
}
