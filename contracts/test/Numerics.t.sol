// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Numerics} from "../src/Numerics.sol";

/// @notice Pins every function of Numerics to a naive reference written from the definitions in
///         docs/NUMERICS.md with explicit division, modulo and floor adjustment (no shifts, no narrowing casts
///         of out-of-range values), plus the edge cases the spec names.
contract NumericsTest is Test {
    int32 internal constant MIN = type(int32).min;
    int32 internal constant MAX = type(int32).max;
    int256 internal constant TWO32 = 2 ** 32;

    // ------------------------------------------------------------------------------------------------------
    // References
    // ------------------------------------------------------------------------------------------------------

    /// @dev Mathematical n mod m in [0, m) for m > 0.
    function refMod(int256 n, int256 m) internal pure returns (int256 r) {
        r = n % m;
        if (r < 0) r += m;
    }

    /// @dev floor(n / d) for d > 0: truncating division, then one step down for a negative inexact quotient.
    function refFloorDiv(int256 n, int256 d) internal pure returns (int256 q) {
        q = n / d;
        if (n % d != 0 && n < 0) q -= 1;
    }

    /// @dev A value already in int32 range, as int32 (asserts that it is).
    function toInt32(int256 x) internal pure returns (int32) {
        require(x >= type(int32).min && x <= type(int32).max, "toInt32: out of range");
        // forge-lint: disable-next-line(unsafe-typecast)
        return int32(x);
    }

    function refWrap(int256 x) internal pure returns (int32) {
        int256 r = refMod(x, TWO32);
        if (r >= 2 ** 31) r -= TWO32;
        return toInt32(r);
    }

    function refMulhi(int32 a, int32 b) internal pure returns (int32) {
        return toInt32(refFloorDiv(int256(a) * int256(b), TWO32));
    }

    function refDiv(int32 a, int32 b) internal pure returns (int32) {
        if (b == 0) return 0;
        int256 x = a;
        int256 y = b;
        int256 absQ = (x < 0 ? -x : x) / (y < 0 ? -y : y);
        return refWrap((x < 0) != (y < 0) ? -absQ : absQ);
    }

    function refCount(int32 s, int256 m) internal pure returns (uint256) {
        return uint256(refMod(s, m));
    }

    function refShl(int32 a, int32 s) internal pure returns (int32) {
        return refWrap(int256(a) * int256(2 ** refCount(s, 32)));
    }

    function refSra(int32 a, int32 s) internal pure returns (int32) {
        return toInt32(refFloorDiv(a, int256(2 ** refCount(s, 32))));
    }

    function refSrl(int32 a, int32 s) internal pure returns (int32) {
        return refWrap(refMod(a, TWO32) / int256(2 ** refCount(s, 32)));
    }

    function refSat(int256 x) internal pure returns (int32) {
        if (x < type(int32).min) return MIN;
        if (x > type(int32).max) return MAX;
        return toInt32(x);
    }

    /// @dev Valid for |x| <= 2^250 and s <= 250 (no int256 overflow in x + 2^(s-1)).
    function refRshr(int256 x, uint256 s) internal pure returns (int256) {
        if (s == 0) return x;
        // forge-lint: disable-next-line(unsafe-typecast)
        return refFloorDiv(x + int256(2 ** (s - 1)), int256(2 ** s)); // s <= 250: both fit
    }

    function refRequant(int32 x, int32 m, int32 s) internal pure returns (int32) {
        return refSat(refRshr(int256(x) * int256(m), refCount(s, 64)));
    }

    function refClamp(int32 x, int32 lo, int32 hi) internal pure returns (int32) {
        int32 y = x;
        if (y < lo) y = lo;
        if (y > hi) y = hi;
        return y;
    }

    // ------------------------------------------------------------------------------------------------------
    // Fuzz against the references
    // ------------------------------------------------------------------------------------------------------

    function test_wrap32_matchesReference_succeeds(int256 x) public pure {
        assertEq(Numerics.wrap32(x), refWrap(x));
    }

    function test_add32_matchesReference_succeeds(int32 a, int32 b) public pure {
        assertEq(Numerics.add32(a, b), refWrap(int256(a) + b));
    }

    function test_sub32_matchesReference_succeeds(int32 a, int32 b) public pure {
        assertEq(Numerics.sub32(a, b), refWrap(int256(a) - b));
    }

    function test_mul32_matchesReference_succeeds(int32 a, int32 b) public pure {
        assertEq(Numerics.mul32(a, b), refWrap(int256(a) * b));
    }

    function test_mulhi32_matchesReference_succeeds(int32 a, int32 b) public pure {
        assertEq(Numerics.mulhi32(a, b), refMulhi(a, b));
    }

    function test_mulhi32_recombinesProduct_succeeds(int32 a, int32 b) public pure {
        // hi * 2^32 + (lo as unsigned) is the exact product.
        int256 hi = Numerics.mulhi32(a, b);
        int256 lo = refMod(Numerics.mul32(a, b), TWO32);
        assertEq(hi * TWO32 + lo, int256(a) * b);
    }

    function test_div32_matchesReference_succeeds(int32 a, int32 b) public pure {
        assertEq(Numerics.div32(a, b), refDiv(a, b));
    }

    function test_shl32_matchesReference_succeeds(int32 a, int32 s) public pure {
        assertEq(Numerics.shl32(a, s), refShl(a, s));
    }

    function test_sra32_matchesReference_succeeds(int32 a, int32 s) public pure {
        assertEq(Numerics.sra32(a, s), refSra(a, s));
    }

    function test_srl32_matchesReference_succeeds(int32 a, int32 s) public pure {
        assertEq(Numerics.srl32(a, s), refSrl(a, s));
    }

    function test_sat32_matchesReference_succeeds(int256 x) public pure {
        assertEq(Numerics.sat32(x), refSat(x));
    }

    function test_rshr_matchesReference_succeeds(int256 x, uint256 s) public pure {
        x = bound(x, -(2 ** 250), 2 ** 250);
        s = bound(s, 0, 250);
        assertEq(Numerics.rshr(x, s), refRshr(x, s));
    }

    function test_rshr_smallValues_succeeds(int256 x, uint256 s) public pure {
        // Dense coverage of ties and signs.
        x = bound(x, -4096, 4096);
        s = bound(s, 0, 14);
        assertEq(Numerics.rshr(x, s), refRshr(x, s));
    }

    function test_requant_matchesReference_succeeds(int32 x, int32 m, int32 s) public pure {
        assertEq(Numerics.requant(x, m, s), refRequant(x, m, s));
    }

    function test_requant_smallShift_succeeds(int32 x, int32 m, int32 s) public pure {
        // Shifts below 32 are the ones that saturate; the plain fuzz mostly draws large counts.
        s = int32(bound(s, 0, 40));
        assertEq(Numerics.requant(x, m, s), refRequant(x, m, s));
    }

    function test_isqrt32_isFloorSqrt_succeeds(int32 a) public pure {
        int256 r = Numerics.isqrt32(a);
        if (a <= 0) {
            assertEq(r, 0);
        } else {
            assertGe(r, 0);
            assertLe(r * r, int256(a));
            assertGt((r + 1) * (r + 1), int256(a));
        }
    }

    function test_isqrt32_perfectSquares_succeeds(int256 r) public pure {
        r = bound(r, 0, 46340);
        int32 sq = toInt32(r * r);
        assertEq(Numerics.isqrt32(sq), r);
        if (r > 0) assertEq(Numerics.isqrt32(sq - 1), r - 1);
    }

    function test_clamp32_matchesReference_succeeds(int32 x, int32 lo, int32 hi) public pure {
        assertEq(Numerics.clamp32(x, lo, hi), refClamp(x, lo, hi));
    }

    // ------------------------------------------------------------------------------------------------------
    // Edge cases
    // ------------------------------------------------------------------------------------------------------

    function test_wrap32_edges_succeeds() public pure {
        assertEq(Numerics.wrap32(2 ** 31), MIN);
        assertEq(Numerics.wrap32(-(2 ** 31) - 1), MAX);
        assertEq(Numerics.wrap32(2 ** 32), 0);
        assertEq(Numerics.wrap32(-1), -1);
        assertEq(Numerics.wrap32(type(int256).min), 0);
        assertEq(Numerics.wrap32(type(int256).max), -1);
    }

    function test_add32_overflowWraps_succeeds() public pure {
        assertEq(Numerics.add32(MAX, 1), MIN);
        assertEq(Numerics.add32(MIN, -1), MAX);
        assertEq(Numerics.add32(MIN, MIN), 0);
        assertEq(Numerics.add32(-1, 1), 0);
    }

    function test_sub32_overflowWraps_succeeds() public pure {
        assertEq(Numerics.sub32(MIN, 1), MAX);
        assertEq(Numerics.sub32(0, MIN), MIN);
        assertEq(Numerics.sub32(MAX, -1), MIN);
        assertEq(Numerics.sub32(0, 1), -1);
    }

    function test_mul32_edges_succeeds() public pure {
        assertEq(Numerics.mul32(MIN, -1), MIN);
        assertEq(Numerics.mul32(MAX, MAX), 1);
        assertEq(Numerics.mul32(MIN, MIN), 0);
        assertEq(Numerics.mul32(65536, 65536), 0);
        assertEq(Numerics.mul32(-1, -1), 1);
    }

    function test_mulhi32_edges_succeeds() public pure {
        assertEq(Numerics.mulhi32(MIN, MIN), 2 ** 30);
        assertEq(Numerics.mulhi32(MIN, MAX), -(2 ** 30));
        assertEq(Numerics.mulhi32(MAX, MAX), 2 ** 30 - 1);
        assertEq(Numerics.mulhi32(-1, 1), -1); // floor, not truncation
        assertEq(Numerics.mulhi32(-1, -1), 0);
        assertEq(Numerics.mulhi32(MIN, -1), 0);
        assertEq(Numerics.mulhi32(0, MIN), 0);
    }

    function test_div32_edges_succeeds() public pure {
        assertEq(Numerics.div32(MIN, -1), MIN);
        assertEq(Numerics.div32(7, 0), 0);
        assertEq(Numerics.div32(MIN, 0), 0);
        assertEq(Numerics.div32(0, 0), 0);
        assertEq(Numerics.div32(-7, 2), -3); // toward zero
        assertEq(Numerics.div32(7, -2), -3);
        assertEq(Numerics.div32(-7, -2), 3);
        assertEq(Numerics.div32(MIN, 1), MIN);
        assertEq(Numerics.div32(MAX, -1), -MAX);
    }

    function test_shl32_counts_succeeds() public pure {
        assertEq(Numerics.shl32(1, 0), 1);
        assertEq(Numerics.shl32(1, 31), MIN);
        assertEq(Numerics.shl32(1, 32), 1);
        assertEq(Numerics.shl32(1, 63), MIN);
        assertEq(Numerics.shl32(1, -1), MIN);
        assertEq(Numerics.shl32(-1, 31), MIN);
        assertEq(Numerics.shl32(3, 31), MIN);
        assertEq(Numerics.shl32(MAX, 1), -2);
        assertEq(Numerics.shl32(5, MIN), 5); // MIN mod 32 = 0
    }

    function test_sra32_counts_succeeds() public pure {
        assertEq(Numerics.sra32(MIN, 0), MIN);
        assertEq(Numerics.sra32(MIN, 31), -1);
        assertEq(Numerics.sra32(MIN, 32), MIN);
        assertEq(Numerics.sra32(MIN, 63), -1);
        assertEq(Numerics.sra32(-1, 31), -1);
        assertEq(Numerics.sra32(-5, 1), -3); // floor
        assertEq(Numerics.sra32(MAX, 31), 0);
        assertEq(Numerics.sra32(MAX, -1), 0);
    }

    function test_srl32_counts_succeeds() public pure {
        assertEq(Numerics.srl32(-1, 0), -1);
        assertEq(Numerics.srl32(-1, 1), MAX);
        assertEq(Numerics.srl32(-1, 31), 1);
        assertEq(Numerics.srl32(-1, 32), -1);
        assertEq(Numerics.srl32(-1, 63), 1);
        assertEq(Numerics.srl32(MIN, 31), 1);
        assertEq(Numerics.srl32(MIN, 1), 2 ** 30);
        assertEq(Numerics.srl32(0, 5), 0);
    }

    function test_sat32_edges_succeeds() public pure {
        assertEq(Numerics.sat32(2 ** 31), MAX);
        assertEq(Numerics.sat32(2 ** 31 - 1), MAX);
        assertEq(Numerics.sat32(-(2 ** 31)), MIN);
        assertEq(Numerics.sat32(-(2 ** 31) - 1), MIN);
        assertEq(Numerics.sat32(type(int256).max), MAX);
        assertEq(Numerics.sat32(type(int256).min), MIN);
        assertEq(Numerics.sat32(-1), -1);
        assertEq(Numerics.sat32(0), 0);
    }

    function test_rshr_edges_succeeds() public pure {
        assertEq(Numerics.rshr(2 ** 62, 63), 1); // no 64-bit overflow
        assertEq(Numerics.rshr(-(2 ** 62), 63), 0); // -0.5 ties toward +inf
        assertEq(Numerics.rshr(3, 1), 2); // 1.5 -> 2
        assertEq(Numerics.rshr(-3, 1), -1); // -1.5 -> -1
        assertEq(Numerics.rshr(-5, 1), -2); // -2.5 -> -2
        assertEq(Numerics.rshr(5, 1), 3); // 2.5 -> 3
        assertEq(Numerics.rshr(-7, 2), -2); // -1.75 -> -2
        assertEq(Numerics.rshr(-1, 1), 0); // -0.5 -> 0
        assertEq(Numerics.rshr(-2, 1), -1);
        assertEq(Numerics.rshr(12345, 0), 12345);
        assertEq(Numerics.rshr(-12345, 0), -12345);
        assertEq(Numerics.rshr(-1, 64), 0);
    }

    function test_rshr_hugeCounts_succeeds() public pure {
        // Total for every count: nothing overflows even where x + 2^(s-1) would not fit int256.
        assertEq(Numerics.rshr(type(int256).max, 255), 1);
        assertEq(Numerics.rshr(type(int256).max, 256), 0);
        assertEq(Numerics.rshr(type(int256).min, 255), -1);
        assertEq(Numerics.rshr(type(int256).min, 256), 0);
        assertEq(Numerics.rshr(type(int256).min, 1), type(int256).min / 2);
        assertEq(Numerics.rshr(type(int256).max, 1), type(int256).max / 2 + 1);
        assertEq(Numerics.rshr(-1, type(uint256).max), 0);
        assertEq(Numerics.rshr(1, type(uint256).max), 0);
    }

    function test_requant_edges_succeeds() public pure {
        assertEq(Numerics.requant(MIN, MIN, 63), 1); // 2^62 / 2^63 = 0.5 -> 1
        assertEq(Numerics.requant(MIN, MAX, 63), 0); // just above -0.5 -> 0
        assertEq(Numerics.requant(MAX, MAX, 0), MAX); // saturates high
        assertEq(Numerics.requant(MIN, MAX, 0), MIN); // saturates low
        assertEq(Numerics.requant(MIN, MIN, 64), MAX); // 64 mod 64 = 0, saturates
        assertEq(Numerics.requant(3, 1, 1), 2);
        assertEq(Numerics.requant(-3, 1, 1), -1);
        assertEq(Numerics.requant(100, 3, -63), 150); // -63 mod 64 = 1
        assertEq(Numerics.requant(1000, 1000, 10), 977); // 976.5625 -> 977
        assertEq(Numerics.requant(0, MIN, 5), 0);
    }

    function test_isqrt32_edges_succeeds() public pure {
        assertEq(Numerics.isqrt32(0), 0);
        assertEq(Numerics.isqrt32(1), 1);
        assertEq(Numerics.isqrt32(2), 1);
        assertEq(Numerics.isqrt32(3), 1);
        assertEq(Numerics.isqrt32(4), 2);
        assertEq(Numerics.isqrt32(MAX), 46340);
        assertEq(Numerics.isqrt32(46340 * 46340), 46340);
        assertEq(Numerics.isqrt32(46340 * 46340 - 1), 46339);
        assertEq(Numerics.isqrt32(-1), 0);
        assertEq(Numerics.isqrt32(MIN), 0);
    }

    function test_clamp32_edges_succeeds() public pure {
        assertEq(Numerics.clamp32(200, -128, 127), 127);
        assertEq(Numerics.clamp32(-200, -128, 127), -128);
        assertEq(Numerics.clamp32(5, -128, 127), 5);
        assertEq(Numerics.clamp32(MIN, MIN, MAX), MIN);
        assertEq(Numerics.clamp32(MAX, MIN, MAX), MAX);
        assertEq(Numerics.clamp32(0, 10, -10), -10); // lo > hi: min(max(x, lo), hi) = hi
        assertEq(Numerics.clamp32(20, 10, -10), -10);
    }
}
