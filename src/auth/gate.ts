/**
 * @module auth/gate
 * Where every first-factor strategy ends. An account with a confirmed authenticator gets no
 * session here — only a short-lived, single-use challenge bound to the account and strategy.
 * Strategies return an account id (and a callback the proof it found), never a session, so a new
 * one cannot skip this gate.
 */
import { type SQL, sql } from "drizzle-orm";
import { sha256Hex } from "../crypto/hash";
import { randomToken } from "../crypto/random";
import { type BatchItem, runBatch } from "../db/batch";
import { insertEventIfStatement } from "../db/events";
import { findCredential, insertChallengeIf } from "../db/mfa";
import { insertSessionIf } from "../db/sessions";
import { AppError, type ErrorCode } from "../errors";
import type { Services } from "../services";
import { type IssuedSession, prepareSession } from "./sessions";

export type GateOutcome =
  | { kind: "session"; session: IssuedSession }
  | { kind: "challenge"; token: string; expiresAt: number; strategy: string };

/**
 * A single-use proof (a sign-in link) that the gate spends in the same transaction that issues
 * the session or challenge: both happen, or neither — a storage failure cannot burn the proof.
 */
export interface SpendableProof {
  /** Holds while the proof is unspent; checked inside the transaction. */
  live: SQL;
  /** Statements that spend it; each must run only where `issued` holds. */
  spend(issued: SQL): BatchItem[];
  /** The answer when a concurrent request spent it first. */
  lost: ErrorCode;
}

export async function passGate(
  s: Services,
  accountId: string,
  strategy: string,
  proof?: SpendableProof,
): Promise<GateOutcome> {
  const credential = s.policy.mfa === false ? undefined : await findCredential(s.db, accountId);
  const live = proof?.live ?? sql`1`;
  if (credential) {
    const token = randomToken();
    const tokenHash = await sha256Hex(token);
    const expiresAt = s.now + s.policy.ttl.challengeSeconds * 1000;
    const issued = sql`EXISTS (SELECT 1 FROM mfa_challenges WHERE token_hash = ${tokenHash})`;
    await issue(
      s,
      [
        insertChallengeIf({ tokenHash, accountId, strategy, expiresAt, createdAt: s.now }, live),
        insertEventIfStatement(accountId, "mfa_challenge_issued", s.source, s.now, issued),
      ],
      issued,
      proof,
    );
    return { kind: "challenge", token, expiresAt, strategy };
  }
  const { row, issued: session } = await prepareSession(s, accountId, 1);
  const issued = sql`EXISTS (SELECT 1 FROM sessions WHERE id = ${row.id})`;
  await issue(
    s,
    [insertSessionIf(row, live), insertEventIfStatement(accountId, "signin", s.source, s.now, issued)],
    issued,
    proof,
  );
  return { kind: "session", session };
}

/** One transaction: the session or challenge (first statement), its audit event, the spent proof. */
async function issue(s: Services, statements: BatchItem[], issued: SQL, proof: SpendableProof | undefined) {
  const results = await runBatch(s.db, [...statements, ...(proof?.spend(issued) ?? [])]);
  if (results[0]!.meta.changes !== 1) throw new AppError(proof?.lost ?? "INTERNAL_ERROR");
}
