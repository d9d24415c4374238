/**
 * @module db/mfa
 * Second-factor storage: confirmed credentials, the pending enrollment, sign-in challenges and
 * recovery codes. Writes that belong together are one `DB.batch` (one transaction); the
 * single-use rules are "claims": a conditional UPDATE marks the row with this request's id, and
 * every later statement of the batch runs only if that mark is there — so of N concurrent
 * requests exactly one completes, without a read-then-write race.
 */
import { and, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import { runBatch } from "./batch";
import type { Db } from "./client";
import type { AccountEventType, EventSource } from "./events";
import { mfaChallenges, mfaCredentials, mfaEnrollments, recoveryCodes } from "./schema";

export type CredentialRow = typeof mfaCredentials.$inferSelect;
export type EnrollmentRow = typeof mfaEnrollments.$inferSelect;
export type ChallengeRow = typeof mfaChallenges.$inferSelect;

/** The newest confirmed credential of an account (one per account today; the table allows more). */
export async function findCredential(db: Db, accountId: string): Promise<CredentialRow | undefined> {
  return db
    .select()
    .from(mfaCredentials)
    .where(eq(mfaCredentials.accountId, accountId))
    .orderBy(desc(mfaCredentials.confirmedAt))
    .get();
}

export interface ChallengeWithCredential {
  challenge: ChallengeRow;
  credential: CredentialRow | null;
  /** Unused recovery codes, read only when the request offers one. */
  recoveryCodes: { id: string; codeHash: string; keyId: string }[];
}

/** The challenge and its account's credential in one read; unused recovery codes, if asked, in a second concurrent one. */
export async function loadChallenge(
  db: Db,
  tokenHash: string,
  withRecoveryCodes: boolean,
): Promise<ChallengeWithCredential | undefined> {
  const challengeQuery = db
    .select({ challenge: mfaChallenges, credential: mfaCredentials })
    .from(mfaChallenges)
    .leftJoin(mfaCredentials, eq(mfaCredentials.accountId, mfaChallenges.accountId))
    .where(eq(mfaChallenges.tokenHash, tokenHash))
    .orderBy(desc(mfaCredentials.confirmedAt))
    .limit(1);
  if (!withRecoveryCodes) {
    const row = await challengeQuery.get();
    return row ? { ...row, recoveryCodes: [] } : undefined;
  }
  const codesQuery = db
    .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash, keyId: recoveryCodes.keyId })
    .from(recoveryCodes)
    .innerJoin(mfaChallenges, eq(mfaChallenges.accountId, recoveryCodes.accountId))
    .where(and(eq(mfaChallenges.tokenHash, tokenHash), isNull(recoveryCodes.usedAt)));
  // Two concurrent reads, not one db.batch: drizzle maps batch rows by column name, and the
  // join's duplicate names (account_id, created_at) would shift every credential field.
  const [row, codes] = await Promise.all([challengeQuery.get(), codesQuery.all()]);
  return row ? { ...row, recoveryCodes: codes } : undefined;
}

/** Inserts the challenge only if `condition` holds when the statement runs (inside a batch). */
export function insertChallengeIf(
  row: { tokenHash: string; accountId: string; strategy: string; expiresAt: number; createdAt: number },
  condition: SQL,
) {
  return sql`INSERT INTO mfa_challenges (token_hash, account_id, strategy, expires_at, created_at)
    SELECT ${row.tokenHash}, ${row.accountId}, ${row.strategy}, ${row.expiresAt}, ${row.createdAt} WHERE ${condition}`;
}

export interface SignInCompletion {
  challengeHash: string;
  accountId: string;
  now: number;
  session: {
    id: string;
    tokenHash: string;
    expiresAt: number;
    ip: string;
    userAgent: string | null;
  };
  /** TOTP: the accepted step, and a re-encrypted secret when the row was under an older key. */
  totp?: { credentialId: string; step: number; reseal?: { ciphertext: string; keyId: string } };
  /** Recovery: the code row being spent. */
  recoveryCodeId?: string;
  events: AccountEventType[];
  source: EventSource;
}

/**
 * Completes a sign-in in one transaction: spend the recovery code (if any), consume the
 * challenge, create the aal-2 session, advance the replay floor, audit. Returns false when a
 * concurrent request already consumed the challenge or the code.
 */
export async function completeSignIn(db: Db, c: SignInCompletion): Promise<boolean> {
  const sid = c.session.id;
  const codeClaimed = c.recoveryCodeId
    ? sql`EXISTS (SELECT 1 FROM recovery_codes WHERE id = ${c.recoveryCodeId} AND used_by = ${sid})`
    : sql`1`;
  const challengeClaimed = sql`EXISTS (SELECT 1 FROM mfa_challenges WHERE token_hash = ${c.challengeHash} AND session_id = ${sid})`;
  const statements = [
    c.recoveryCodeId
      ? sql`UPDATE recovery_codes SET used_at = ${c.now}, used_by = ${sid} WHERE id = ${c.recoveryCodeId} AND account_id = ${c.accountId} AND used_at IS NULL`
      : sql`SELECT 1`,
    sql`UPDATE mfa_challenges SET consumed_at = ${c.now}, session_id = ${sid}
      WHERE token_hash = ${c.challengeHash} AND consumed_at IS NULL AND expires_at > ${c.now} AND ${codeClaimed}`,
    sql`INSERT INTO sessions (id, token_hash, account_id, aal, created_at, last_seen_at, expires_at, ip, user_agent)
      SELECT ${sid}, ${c.session.tokenHash}, ${c.accountId}, 2, ${c.now}, ${c.now}, ${c.session.expiresAt}, ${c.session.ip}, ${c.session.userAgent}
      WHERE ${challengeClaimed}`,
    ...(c.totp
      ? [
          sql`UPDATE mfa_credentials SET last_used_step = MAX(last_used_step, ${c.totp.step})
            ${c.totp.reseal ? sql`, ciphertext = ${c.totp.reseal.ciphertext}, key_id = ${c.totp.reseal.keyId}` : sql``}
            WHERE id = ${c.totp.credentialId} AND ${challengeClaimed}`,
        ]
      : []),
    ...c.events.map((type) => insertEventIf(c.accountId, type, c.source, c.now, challengeClaimed)),
  ];
  const results = await runBatch(db, statements);
  return results[2]!.meta.changes === 1;
}

function insertEventIf(
  accountId: string,
  type: AccountEventType,
  source: EventSource,
  now: number,
  condition: ReturnType<typeof sql>,
) {
  return sql`INSERT INTO account_events (account_id, type, ip, user_agent, created_at)
    SELECT ${accountId}, ${type}, ${source.ip}, ${source.userAgent}, ${now} WHERE ${condition}`;
}

// ---- enrollment ----

export async function findPendingEnrollment(
  db: Db,
  accountId: string,
  now: number,
): Promise<EnrollmentRow | undefined> {
  return db
    .select()
    .from(mfaEnrollments)
    .where(
      and(eq(mfaEnrollments.accountId, accountId), gt(mfaEnrollments.expiresAt, now), isNull(mfaEnrollments.claimedBy)),
    )
    .get();
}

/** Stores the pending enrollment, replacing an earlier pending one (never the confirmed credential). */
export async function replacePendingEnrollment(db: Db, row: typeof mfaEnrollments.$inferInsert): Promise<void> {
  await runBatch(db, [
    db.delete(mfaEnrollments).where(eq(mfaEnrollments.accountId, row.accountId)),
    db.insert(mfaEnrollments).values(row),
  ]);
}

export interface HashedRecoveryCode {
  id: string;
  codeHash: string;
  keyId: string;
}

function insertRecoveryCodesIf(
  accountId: string,
  codes: HashedRecoveryCode[],
  now: number,
  condition: ReturnType<typeof sql>,
) {
  const values = sql.join(
    codes.map((code) => sql`(${code.id}, ${code.codeHash}, ${code.keyId})`),
    sql`, `,
  );
  return sql`INSERT INTO recovery_codes (id, account_id, code_hash, key_id, created_at)
    SELECT v.column1, ${accountId}, v.column2, v.column3, ${now} FROM (VALUES ${values}) AS v WHERE ${condition}`;
}

export interface EnrollmentConfirmation {
  enrollmentId: string;
  accountId: string;
  sessionId: string;
  /** The step that confirmed the enrollment: burned, so it cannot also sign in. */
  step: number;
  sessionExpiresAt: number;
  recoveryCodes: HashedRecoveryCode[];
  now: number;
  source: EventSource;
}

/**
 * Confirms a pending enrollment in one transaction: the new credential replaces the old one,
 * fresh recovery codes replace the old ones, the session becomes aal 2. Returns false when the
 * enrollment was gone or another confirmation won.
 */
export async function confirmEnrollment(db: Db, e: EnrollmentConfirmation): Promise<boolean> {
  const claim = `${e.sessionId}:${e.now}:${crypto.randomUUID()}`;
  const claimed = sql`EXISTS (SELECT 1 FROM mfa_enrollments WHERE id = ${e.enrollmentId} AND claimed_by = ${claim})`;
  const results = await runBatch(db, [
    sql`UPDATE mfa_enrollments SET claimed_by = ${claim}
      WHERE id = ${e.enrollmentId} AND account_id = ${e.accountId} AND claimed_by IS NULL AND expires_at > ${e.now}`,
    sql`DELETE FROM mfa_credentials WHERE account_id = ${e.accountId} AND ${claimed}`,
    sql`INSERT INTO mfa_credentials (id, account_id, kind, ciphertext, key_id, algorithm, digits, period_seconds, last_used_step, confirmed_at, created_at)
      SELECT id, account_id, 'totp', ciphertext, key_id, algorithm, digits, period_seconds, ${e.step}, ${e.now}, ${e.now}
      FROM mfa_enrollments WHERE id = ${e.enrollmentId} AND claimed_by = ${claim}`,
    sql`DELETE FROM recovery_codes WHERE account_id = ${e.accountId} AND ${claimed}`,
    insertRecoveryCodesIf(e.accountId, e.recoveryCodes, e.now, claimed),
    sql`UPDATE sessions SET aal = 2, expires_at = MIN(expires_at, ${e.sessionExpiresAt})
      WHERE id = ${e.sessionId} AND ${claimed}`,
    // Sessions signed in without the new factor end: a stolen session must not outlive it.
    sql`UPDATE sessions SET revoked_at = ${e.now}
      WHERE account_id = ${e.accountId} AND id != ${e.sessionId} AND revoked_at IS NULL AND ${claimed}`,
    insertEventIf(e.accountId, "mfa_enabled", e.source, e.now, claimed),
    sql`DELETE FROM mfa_enrollments WHERE id = ${e.enrollmentId} AND claimed_by = ${claim}`,
  ]);
  return results[0]!.meta.changes === 1;
}

/**
 * Replaces all recovery codes of an account (the old ones die in the same transaction) and
 * advances the replay floor past the code that authorised it.
 */
export async function replaceRecoveryCodes(
  db: Db,
  accountId: string,
  codes: HashedRecoveryCode[],
  now: number,
  source: EventSource,
  stepUp: { credentialId: string; step: number },
): Promise<void> {
  await runBatch(db, [
    db.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId)),
    insertRecoveryCodesIf(accountId, codes, now, sql`1`),
    sql`UPDATE mfa_credentials SET last_used_step = MAX(last_used_step, ${stepUp.step}) WHERE id = ${stepUp.credentialId}`,
    insertEventIf(accountId, "recovery_codes_regenerated", source, now, sql`1`),
  ]);
}

/** Turns MFA off: credentials, pending enrollment and recovery codes go together. */
export async function removeSecondFactor(db: Db, accountId: string, now: number, source: EventSource): Promise<void> {
  await runBatch(db, [
    db.delete(mfaCredentials).where(eq(mfaCredentials.accountId, accountId)),
    db.delete(mfaEnrollments).where(eq(mfaEnrollments.accountId, accountId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId)),
    insertEventIf(accountId, "mfa_disabled", source, now, sql`1`),
  ]);
}

export async function countUnusedRecoveryCodes(db: Db, accountId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)))
    .get();
  return row?.n ?? 0;
}
