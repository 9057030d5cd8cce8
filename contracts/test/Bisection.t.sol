// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Bisection} from "../src/Bisection.sol";
import {Commitments} from "../src/Commitments.sol";

/// @dev Holds one Bisection in storage.
contract BisectionHarness {
    Bisection internal b;

    function init(uint64 hi, bytes32 loHash, bytes32 hiHash) external {
        b.init(hi, loHash, hiHash);
    }

    function post(bytes32 h) external {
        b.post(h);
    }

    function respond(bool agree) external {
        b.respond(agree);
    }

    function get() external view returns (Bisection memory) {
        return b;
    }

    function mid() external view returns (uint64) {
        return b.mid();
    }

    function isConverged() external view returns (bool) {
        return b.isConverged();
    }
}

contract BisectionTest is Test {
    BisectionHarness internal h;

    function setUp() public {
        h = new BisectionHarness();
    }

    function test_init_succeeds() public {
        h.init(10, "lo", "hi");
        Bisection memory b = h.get();
        assertEq(b.lo, 0);
        assertEq(b.hi, 10);
        assertEq(b.loHash, "lo");
        assertEq(b.hiHash, "hi");
        assertEq(h.mid(), 5);
        assertFalse(h.isConverged());
    }

    function test_respond_agreeAndDisagree_succeeds() public {
        h.init(10, "lo", "hi");
        h.post("m5");
        h.respond(true);
        Bisection memory b = h.get();
        assertEq(b.lo, 5);
        assertEq(b.loHash, "m5");
        assertEq(h.mid(), 7);
        h.post("m7");
        h.respond(false);
        b = h.get();
        assertEq(b.hi, 7);
        assertEq(b.hiHash, "m7");
        assertEq(h.mid(), 6);
    }

    function test_isConverged_oneStep_succeeds() public {
        h.init(1, "lo", "hi");
        assertTrue(h.isConverged());
        assertEq(h.mid(), 0);
    }

    /// @dev Any answer sequence converges within ceil(log2 n) rounds, each mid strictly inside (lo, hi), and the
    ///      final [lo, lo + 1] inside [0, n].
    function test_respond_convergesWithinCeilLog2_succeeds(uint64 n, uint256 answers) public {
        n = uint64(bound(n, 1, type(uint64).max));
        h.init(n, "lo", "hi");
        uint256 rounds = 0;
        while (!h.isConverged()) {
            Bisection memory b = h.get();
            uint64 m = h.mid();
            assertGt(m, b.lo);
            assertLt(m, b.hi);
            h.post(keccak256(abi.encode(m)));
            h.respond((answers >> (rounds % 256)) & 1 == 1);
            rounds++;
        }
        assertLe(rounds, Commitments.ceilLog2(n));
        Bisection memory f = h.get();
        assertEq(f.hi, f.lo + 1);
        assertLe(f.hi, n);
    }

    function test_respond_allAgreeEndsAtLastStep_succeeds(uint64 n) public {
        n = uint64(bound(n, 1, 1e12));
        h.init(n, "lo", "hi");
        while (!h.isConverged()) {
            h.post("x");
            h.respond(true);
        }
        assertEq(h.get().lo, n - 1);
        assertEq(h.get().hiHash, "hi", "hi never moved: the original claim is the one judged");
    }
}
