// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InputUploads} from "../../src/InputUploads.sol";

/// @dev InputUploads with its internal root composition exposed, to compare roots of uploads of any size with an
///      independent reference without registering a model per size.
contract UploadsHarness is InputUploads {
    function inputRoot(uint256 upload, uint256 input, uint256 expectedWords) external view returns (bytes32) {
        return _inputRoot(upload, input, expectedWords);
    }

    function uploadWords(uint256 upload) external view returns (uint256) {
        return _uploads[upload].words;
    }

    function chunkCount(uint256 upload) external view returns (uint256) {
        return _uploads[upload].chunkRoots.length;
    }
}
