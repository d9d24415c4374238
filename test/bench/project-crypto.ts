/**
 * @module test/bench/project-crypto
 * The project's own crypto and policy, for the seeding code that runs in Node. src/ uses
 * extensionless imports, so seed.ts bundles this entry with esbuild instead of importing it.
 */
export { default as authConfig } from "../../config/auth";
export { sha256Hex } from "../../src/crypto/hash";
export { importKeyring, seal, totpSecretAad } from "../../src/crypto/keyring";
export { hashPassword } from "../../src/crypto/password";
export { randomId, randomToken } from "../../src/crypto/random";
