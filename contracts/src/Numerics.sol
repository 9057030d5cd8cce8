// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Numerics
/// @notice The whole integer arithmetic of opml (docs/NUMERICS.md), the Solidity twin of vm/numerics.ts.
/// @dev Every function widens its operands to int256, where each definition is a direct expression, and
///      narrows the result back. Explicit narrowing conversions (int256 -> int32) keep the low bits and never
///      revert, which is exactly two's complement wrapping. `>>` on a signed integer is an arithmetic shift,
///      i.e. floor division by a power of two. No function reverts on any input.
library Numerics {
    int256 internal constant INT32_MIN = -2 ** 31;
    int256 internal constant INT32_MAX = 2 ** 31 - 1;

    /// @notice The unique int32 congruent to x modulo 2^32.
    /// @dev Two's complement wrap: keeps the low 32 bits of x. Defined for every int256.
    function wrap32(int256 x) internal pure returns (int32) {
        // Truncation is the definition: wrapping keeps the low 32 bits.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int32(x);
    }

    /// @notice wrap32(a + b).
    /// @dev Wrapping: add32(INT32_MAX, 1) = INT32_MIN.
    function add32(int32 a, int32 b) internal pure returns (int32) {
        return wrap32(int256(a) + int256(b));
    }

    /// @notice wrap32(a - b).
    /// @dev Wrapping: sub32(INT32_MIN, 1) = INT32_MAX.
    function sub32(int32 a, int32 b) internal pure returns (int32) {
        return wrap32(int256(a) - int256(b));
    }

    /// @notice wrap32(a * b): the low 32 bits of the exact product.
    function mul32(int32 a, int32 b) internal pure returns (int32) {
        return wrap32(int256(a) * int256(b));
    }

    /// @notice floor(a * b / 2^32): the high word of the signed 64-bit product.
    /// @dev Rounds toward -infinity (mulhi32(-1, 1) = -1). Always in int32 range, so the narrowing is exact.
    function mulhi32(int32 a, int32 b) internal pure returns (int32) {
        return int32((int256(a) * int256(b)) >> 32);
    }

    /// @notice 0 if b = 0, else wrap32(trunc(a / b)).
    /// @dev Rounds toward zero (Solidity `/` truncates). The only overflow, INT32_MIN / -1 = 2^31, wraps to
    ///      INT32_MIN. Division by zero is 0, never a revert.
    function div32(int32 a, int32 b) internal pure returns (int32) {
        if (b == 0) return 0;
        return wrap32(int256(a) / int256(b));
    }

    /// @notice wrap32(a * 2^(s mod 32)).
    /// @dev The count is taken mod 32 as a non-negative residue (s = -1 shifts by 31, s = 32 by 0).
    function shl32(int32 a, int32 s) internal pure returns (int32) {
        return wrap32(int256(a) << _count32(s));
    }

    /// @notice floor(a / 2^(s mod 32)): arithmetic (sign-filling) right shift.
    /// @dev Rounds toward -infinity (sra32(-1, 31) = -1). Count mod 32 as in shl32.
    function sra32(int32 a, int32 s) internal pure returns (int32) {
        return int32(int256(a) >> _count32(s));
    }

    /// @notice wrap32(floor((a mod 2^32) / 2^(s mod 32))): logical right shift of the bit pattern.
    /// @dev srl32(-1, 0) = -1 (the count 0 result re-wraps to a negative word); srl32(-1, 1) = INT32_MAX.
    function srl32(int32 a, int32 s) internal pure returns (int32) {
        // uint32(a) is a's bit pattern; the shifted pattern re-wraps to int32 by definition.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int32(uint32(a) >> _count32(s));
    }

    /// @notice min(max(x, INT32_MIN), INT32_MAX): saturate an unbounded integer to int32.
    function sat32(int256 x) internal pure returns (int32) {
        if (x < INT32_MIN) return type(int32).min;
        if (x > INT32_MAX) return type(int32).max;
        // Safe: x is within int32 range here.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int32(x);
    }

    /// @notice Rounding right shift: x if s = 0, else floor((x + 2^(s-1)) / 2^s).
    /// @dev Rounds to nearest with ties toward +infinity (rshr(-3, 1) = -1, rshr(3, 1) = 2), on the unbounded
    ///      integer: rshr(2^62, 63) = 1. Computed without forming x + 2^(s-1), as floor(x / 2^s) plus bit
    ///      (s-1) of x (that bit says whether the remainder reaches half), so it is exact and total for every
    ///      int256 x and every s (any s >= 256 gives 0).
    function rshr(int256 x, uint256 s) internal pure returns (int256) {
        if (s == 0) return x;
        return (x >> s) + ((x >> (s - 1)) & 1);
    }

    /// @notice sat32(rshr(x * m, s mod 64)).
    /// @dev The product is exact (|x * m| <= 2^62); the shift count is the non-negative residue of s mod 64.
    function requant(int32 x, int32 m, int32 s) internal pure returns (int32) {
        // uint32(s) & 63 is s mod 64 as a non-negative residue.
        // forge-lint: disable-next-line(unsafe-typecast)
        return sat32(rshr(int256(x) * int256(m), uint256(uint32(s) & 63)));
    }

    /// @notice 0 if a <= 0, else floor(sqrt(a)).
    /// @dev Digit-by-digit (base 4) square root: 16 rounds, exact for all int32. isqrt32(INT32_MAX) = 46340.
    function isqrt32(int32 a) internal pure returns (int32) {
        if (a <= 0) return 0;
        // Safe: a > 0 here.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 rest = uint256(uint32(a));
        uint256 root = 0;
        for (uint256 bit = 1 << 30; bit != 0; bit >>= 2) {
            if (rest >= root + bit) {
                rest -= root + bit;
                root = (root >> 1) + bit;
            } else {
                root >>= 1;
            }
        }
        // Safe: root <= 46340.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int32(int256(root));
    }

    /// @notice min(max(x, lo), hi).
    /// @dev Taken literally when lo > hi: the result is then hi.
    function clamp32(int32 x, int32 lo, int32 hi) internal pure returns (int32) {
        int32 y = x < lo ? lo : x;
        return y > hi ? hi : y;
    }

    /// @dev The shift count s mod 32 as a non-negative residue: the low 5 bits of the two's complement pattern.
    function _count32(int32 s) private pure returns (uint256) {
        // uint32(s) is s's bit pattern; its low 5 bits are s mod 32.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint256(uint32(s) & 31);
    }
}
