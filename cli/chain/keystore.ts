/**
 * Encrypted JSON keystores (Web3 Secret Storage v3, as geth and Foundry's `cast wallet new` write them): the
 * key is derived with scrypt or pbkdf2 (hmac-sha256), checked against the keccak-256 MAC and decrypted with
 * aes-128-ctr. The primitives are the audited @noble ones (the same ones viem and ethereum-cryptography use);
 * this file only reads the JSON and wires them together.
 */
import { ctr } from '@noble/ciphers/aes.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { ExitCode, OpmlError } from '../errors.ts';

const MAKE_NEW = 'write a new one with `cast wallet new <dir>` (or `cast wallet import`)';

function bad(file: string, what: string): OpmlError {
  return new OpmlError(`the keystore ${file} is not a valid v3 keystore: ${what}`, ExitCode.USAGE, MAKE_NEW);
}

function hexField(v: unknown, file: string, name: string): Uint8Array {
  if (typeof v !== 'string' || !/^(0x)?([0-9a-fA-F]{2})*$/.test(v)) throw bad(file, `${name} is not hex`);
  return hexToBytes((v.startsWith('0x') ? v : `0x${v}`) as Hex);
}

function intField(v: unknown, file: string, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw bad(file, `${name} is not a positive integer`);
  return v;
}

/** Decrypt a v3 keystore's JSON text with `password`; `file` names it in errors. Returns the 32-byte key. */
export async function decryptKeystore(json: string, password: string, file = 'keystore'): Promise<Hex> {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw bad(file, 'not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw bad(file, 'not a JSON object');
  if (doc.version !== 3) throw bad(file, `version ${JSON.stringify(doc.version)} (only 3 is supported)`);
  const crypto = (doc.crypto ?? doc.Crypto) as Record<string, unknown> | undefined;
  if (typeof crypto !== 'object' || crypto === null) throw bad(file, 'no "crypto" section');
  if (crypto.cipher !== 'aes-128-ctr') {
    throw new OpmlError(`the keystore ${file} uses the cipher ${JSON.stringify(crypto.cipher)}; only aes-128-ctr is supported`, ExitCode.USAGE, MAKE_NEW);
  }
  const iv = hexField((crypto.cipherparams as Record<string, unknown> | undefined)?.iv, file, 'cipherparams.iv');
  if (iv.length !== 16) throw bad(file, 'cipherparams.iv is not 16 bytes');
  const ciphertext = hexField(crypto.ciphertext, file, 'ciphertext');
  const mac = hexField(crypto.mac, file, 'mac');
  const kp = crypto.kdfparams as Record<string, unknown> | undefined;
  if (typeof kp !== 'object' || kp === null) throw bad(file, 'no kdfparams');
  const salt = hexField(kp.salt, file, 'kdfparams.salt');
  const dkLen = intField(kp.dklen, file, 'kdfparams.dklen');
  if (dkLen < 32) throw bad(file, 'kdfparams.dklen is under 32');
  const pw = new TextEncoder().encode(password.normalize('NFKC'));
  let derived: Uint8Array;
  if (crypto.kdf === 'scrypt') {
    const N = intField(kp.n, file, 'kdfparams.n');
    const r = intField(kp.r, file, 'kdfparams.r');
    const p = intField(kp.p, file, 'kdfparams.p');
    try {
      derived = await scryptAsync(pw, salt, { N, r, p, dkLen, maxmem: 2 ** 31 });
    } catch (err) {
      throw bad(file, `scrypt parameters rejected (${err instanceof Error ? err.message : String(err)})`);
    }
  } else if (crypto.kdf === 'pbkdf2') {
    if (kp.prf !== 'hmac-sha256') {
      throw new OpmlError(`the keystore ${file} uses pbkdf2 with ${JSON.stringify(kp.prf)}; only hmac-sha256 is supported`, ExitCode.USAGE, MAKE_NEW);
    }
    derived = await pbkdf2Async(sha256, pw, salt, { c: intField(kp.c, file, 'kdfparams.c'), dkLen });
  } else {
    throw new OpmlError(`the keystore ${file} uses the key derivation ${JSON.stringify(crypto.kdf)}; only scrypt and pbkdf2 are supported`, ExitCode.USAGE, MAKE_NEW);
  }
  const macInput = new Uint8Array(16 + ciphertext.length);
  macInput.set(derived.subarray(16, 32), 0);
  macInput.set(ciphertext, 16);
  const expected = keccak_256(macInput);
  let diff = expected.length ^ mac.length;
  for (let i = 0; i < Math.min(expected.length, mac.length); i++) diff |= expected[i] ^ mac[i];
  if (diff !== 0) throw new OpmlError(`wrong password for the keystore ${file}`, ExitCode.USAGE, 'check --password-file or OPML_PASSWORD (a password file\'s trailing newline is ignored)');
  const key = ctr(derived.subarray(0, 16), iv).decrypt(ciphertext);
  if (key.length !== 32) throw bad(file, `the decrypted key is ${key.length} bytes, not 32`);
  return bytesToHex(key);
}
