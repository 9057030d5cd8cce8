// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Bisection, BisectionLib} from "../src/Bisection.sol";
import {Commitments} from "../src/Commitments.sol";
import {PostedStateCount, PostedStatesMismatch, PartOutOfRange} from "../src/GameErrors.sol";
import {Cuts, one} from "./utils/Cuts.sol";

/// @dev Holds one Bisection in storage; states reach the library as calldata, as they do in the game.
contract BisectionHarness {
    Bisection internal b;

    function init(uint64 hi, bytes32 loHash, bytes32 hiHash) external {
        b.init(hi, loHash, hiHash);
    }

    /// @dev Puts the interval anywhere (the game only ever starts at 0; the library's arithmetic does not care).
    function set(uint64 lo, uint64 hi, bytes32 loHash, bytes32 hiHash) external {
        b.lo = lo;
        b.hi = hi;
        b.loHash = loHash;
        b.hiHash = hiHash;
    }

    function post(uint256 k, bytes32[] calldata states) external {
        b.post(k, states);
    }

    function respond(uint256 part, bytes32[] calldata states) external {
        b.respond(part, states);
    }

    function get() external view returns (Bisection memory) {
        return b;
    }

    function parts(uint256 k) external view returns (uint256) {
        Bisection memory m = b;
        return m.parts(k);
    }

    function position(uint64 lo, uint64 hi, uint256 n, uint256 i) external pure returns (uint64) {
        return BisectionLib.position(lo, hi, n, i);
    }

    function isConverged() external view returns (bool) {
        Bisection memory m = b;
        return m.isConverged();
    }
}

/// @notice BisectionLib: the k-ary cut's positions, posts and answers, and convergence (docs/GAME.md,
///         "Dissection"). k = 2 first (the bisection the game had), then any k in 2 .. 64.
contract BisectionTest is Test {
    BisectionHarness internal h;

    function setUp() public {
        h = new BisectionHarness();
    }

    /// @dev n distinct made-up states for a post (tagged so two posts never give the same list).
    function states(uint256 n, uint256 tag) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            s[i] = keccak256(abi.encode("state", tag, i));
        }
    }

    /// @dev Posts a fresh list for the current cut at arity k and returns it.
    function postFresh(uint256 k, uint256 tag) internal returns (bytes32[] memory s) {
        s = states(h.parts(k) - 1, tag);
        h.post(k, s);
    }

    // ======================================================================================================
    // k = 2
    // ======================================================================================================

    function test_init_succeeds() public {
        h.init(10, "lo", "hi");
        Bisection memory b = h.get();
        assertEq(b.lo, 0);
        assertEq(b.hi, 10);
        assertEq(b.loHash, "lo");
        assertEq(b.hiHash, "hi");
        assertEq(b.postedHash, 0);
        assertEq(h.parts(2), 2);
        assertEq(h.position(0, 10, 2, 1), 5, "the one inner position of a bisection: the midpoint");
        assertFalse(h.isConverged());
    }

    function test_respond_agreeAndDisagree_succeeds() public {
        h.init(10, "lo", "hi");
        h.post(2, one("m5"));
        assertEq(h.get().postedHash, keccak256(abi.encodePacked(bytes32("m5"))));
        h.respond(Cuts.AGREE, one("m5"));
        Bisection memory b = h.get();
        assertEq(b.lo, 5);
        assertEq(b.hi, 10);
        assertEq(b.loHash, "m5");
        assertEq(b.hiHash, "hi");
        assertEq(h.position(b.lo, b.hi, h.parts(2), 1), 7);
        h.post(2, one("m7"));
        h.respond(Cuts.DISAGREE, one("m7"));
        b = h.get();
        assertEq(b.lo, 5);
        assertEq(b.hi, 7);
        assertEq(b.loHash, "m5");
        assertEq(b.hiHash, "m7");
        assertEq(h.position(b.lo, b.hi, h.parts(2), 1), 6);
    }

    function test_isConverged_oneStep_succeeds(uint256 k) public {
        k = bound(k, 2, 64);
        h.init(1, "lo", "hi");
        assertTrue(h.isConverged());
        assertEq(h.parts(k), 1, "one part: no inner position left");
    }

    /// @dev Any answer sequence converges within ceil(log2 n) rounds, each midpoint strictly inside (lo, hi), and
    ///      the final [lo, lo + 1] inside [0, n].
    function test_respond_convergesWithinCeilLog2_succeeds(uint64 n, uint256 answers) public {
        n = uint64(bound(n, 1, type(uint64).max));
        h.init(n, "lo", "hi");
        uint256 rounds = 0;
        while (!h.isConverged()) {
            Bisection memory b = h.get();
            assertEq(h.parts(2), 2);
            uint64 m = h.position(b.lo, b.hi, 2, 1);
            assertGt(m, b.lo);
            assertLt(m, b.hi);
            h.post(2, one(keccak256(abi.encode(m))));
            h.respond(Cuts.binary((answers >> (rounds % 256)) & 1 == 1), one(keccak256(abi.encode(m))));
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
            h.post(2, one("x"));
            h.respond(Cuts.AGREE, one("x"));
        }
        assertEq(h.get().lo, n - 1);
        assertEq(h.get().hiHash, "hi", "hi never moved: the original claim is the one judged");
    }

    /// @dev The k = 2 position is the old midpoint lo + (hi - lo) / 2 everywhere.
    function test_position_binaryIsMidpoint_succeeds(uint64 lo, uint64 hi) public view {
        lo = uint64(bound(lo, 0, type(uint64).max - 2));
        hi = uint64(bound(hi, uint256(lo) + 2, type(uint64).max));
        assertEq(h.position(lo, hi, 2, 1), lo + (hi - lo) / 2);
    }

    // ======================================================================================================
    // Any k in 2 .. 64
    // ======================================================================================================

    /// @dev For any lo < hi and k: n = min(k, hi - lo) parts, p_0 = lo, p_n = hi, the positions strictly increasing
    ///      (every part at least one position long), every part floor or ceil of (hi - lo) / n long, and the
    ///      positions the test computes from the rule.
    function test_position_strictlyIncreasingEndsAndEvenParts_succeeds(uint64 lo, uint64 hi, uint256 k) public {
        lo = uint64(bound(lo, 0, type(uint64).max - 1));
        hi = uint64(bound(hi, uint256(lo) + 1, type(uint64).max));
        k = bound(k, 2, 64);
        h.set(lo, hi, "lo", "hi");
        uint256 n = h.parts(k);
        uint256 len = uint256(hi) - lo;
        assertEq(n, len < k ? len : k, "min(k, hi - lo) parts");
        assertEq(h.position(lo, hi, n, 0), lo, "p_0 = lo");
        assertEq(h.position(lo, hi, n, n), hi, "p_n = hi");
        uint256 floorLen = len / n;
        uint256 ceilLen = (len + n - 1) / n;
        uint64 prev = lo;
        for (uint256 i = 1; i <= n; i++) {
            uint64 p = h.position(lo, hi, n, i);
            assertEq(p, Cuts.position(lo, hi, n, i), "the rule's position");
            assertGt(p, prev, "strictly increasing");
            uint256 part = uint256(p) - prev;
            assertTrue(part == floorLen || part == ceilLen, "a part is floor or ceil of (hi - lo) / n");
            prev = p;
        }
    }

    /// @dev From [0, n], whatever parts the challenger names, the interval converges within ceil(log_k n)
    ///      narrowings; every narrowing keeps a part of the cut (at most ceil(len / k') long), inside the old
    ///      interval.
    function test_respond_convergesWithinCeilLogK_succeeds(uint64 n, uint256 k, uint256 seed) public {
        n = uint64(bound(n, 1, 1 << 40));
        k = bound(k, 2, 64);
        h.init(n, "lo", "hi");
        uint256 rounds = 0;
        while (!h.isConverged()) {
            Bisection memory b = h.get();
            uint256 len = uint256(b.hi) - b.lo;
            uint256 parts = h.parts(k);
            bytes32[] memory s = postFresh(k, rounds);
            uint256 part = uint256(keccak256(abi.encode(seed, rounds))) % parts;
            h.respond(part, s);
            Bisection memory a = h.get();
            assertEq(a.lo, Cuts.position(b.lo, b.hi, parts, part));
            assertEq(a.hi, Cuts.position(b.lo, b.hi, parts, part + 1));
            assertGe(a.lo, b.lo);
            assertLe(a.hi, b.hi);
            assertLt(a.lo, a.hi);
            assertLe(uint256(a.hi) - a.lo, (len + parts - 1) / parts, "at most ceil(len / k') left");
            rounds++;
        }
        assertLe(rounds, Cuts.ceilLog(n, k), "ceil(log_k n) narrowings at most");
        Bisection memory f = h.get();
        assertEq(f.hi, f.lo + 1);
        assertLe(f.hi, n);
    }

    /// @dev Part 0 keeps loHash (the challenger disputes the first posted state), part k' - 1 keeps hiHash (it
    ///      agrees with every posted one); any other part i takes its ends from the posted states i - 1 and i.
    function test_respond_endPartsKeepTheirHash_succeeds(uint64 lo, uint64 len, uint256 k, uint256 middle) public {
        lo = uint64(bound(lo, 0, 1 << 60));
        len = uint64(bound(len, 2, 1 << 40));
        k = bound(k, 2, 64);
        uint64 hi = lo + len;
        uint256 n = Cuts.parts(lo, hi, k);
        bytes32[] memory s = states(n - 1, 0);

        h.set(lo, hi, "lo", "hi");
        h.post(k, s);
        h.respond(0, s);
        Bisection memory b = h.get();
        assertEq(b.loHash, "lo", "part 0 keeps loHash");
        assertEq(b.hiHash, s[0]);
        assertEq(b.lo, lo);

        h.set(lo, hi, "lo", "hi");
        h.post(k, s);
        h.respond(n - 1, s);
        b = h.get();
        assertEq(b.loHash, s[n - 2]);
        assertEq(b.hiHash, "hi", "part k' - 1 keeps hiHash");
        assertEq(b.hi, hi);

        uint256 i = bound(middle, 0, n - 1);
        h.set(lo, hi, "lo", "hi");
        h.post(k, s);
        h.respond(i, s);
        b = h.get();
        assertEq(b.loHash, i == 0 ? bytes32("lo") : s[i - 1]);
        assertEq(b.hiHash, i == n - 1 ? bytes32("hi") : s[i]);
    }

    function test_post_wrongCount_reverts(uint256 k, uint64 len, uint256 count) public {
        k = bound(k, 2, 64);
        len = uint64(bound(len, 2, 1 << 40));
        h.init(len, "lo", "hi");
        uint256 expected = h.parts(k) - 1;
        count = bound(count, 0, 80);
        vm.assume(count != expected);
        vm.expectRevert(abi.encodeWithSelector(PostedStateCount.selector, expected, count));
        h.post(k, states(count, 0));
    }

    function test_respond_otherStates_reverts(uint256 k, uint256 flip) public {
        k = bound(k, 2, 64);
        h.init(1000, "lo", "hi");
        bytes32[] memory s = postFresh(k, 0);
        bytes32[] memory t = new bytes32[](s.length);
        for (uint256 i = 0; i < s.length; i++) {
            t[i] = s[i];
        }
        t[bound(flip, 0, t.length - 1)] ^= bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(PostedStatesMismatch.selector, Cuts.hashOf(s), Cuts.hashOf(t)));
        h.respond(0, t);
    }

    function test_respond_partOutOfRange_reverts(uint256 k, uint256 part) public {
        k = bound(k, 2, 64);
        h.init(1000, "lo", "hi");
        bytes32[] memory s = postFresh(k, 0);
        part = bound(part, k, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(PartOutOfRange.selector, part, k));
        h.respond(part, s);
    }
}
