/**
 * @module auth/gate
 * Where every first-factor strategy ends. An account with a confirmed authenticator gets no
 * session here — only a short-lived, single-use challenge bound to the account and strategy.
 * Strategies return an account id and nothing else, so a new one cannot skip this gate.
 */
import { sha256Hex } from "../crypto/hash";
import { randomToken } from "../crypto/random";
import { insertEventStatement } from "../db/events";
import { findCredential, insertChallengeStatement } from "../db/mfa";
import { insertSessionStatement } from "../db/sessions";
import type { Services } from "../services";
import { type IssuedSession, prepareSession } from "./sessions";

export type GateOutcome =
  | { kind: "session"; session: IssuedSession }
  | { kind: "challenge"; token: string; expiresAt: number; strategy: string };

export async function passGate(s: Services, accountId: string, strategy: string): Promise<GateOutcome> {
  const credential = s.policy.mfa === false ? undefined : await findCredential(s.db, accountId);
  if (credential) {
    const token = randomToken();
    const expiresAt = s.now + s.policy.ttl.challengeSeconds * 1000;
    await s.db.batch([
      insertChallengeStatement(s.db, {
        tokenHash: await sha256Hex(token),
        accountId,
        strategy,
        expiresAt,
        createdAt: s.now,
      }),
      insertEventStatement(s.db, accountId, "mfa_challenge_issued", s.source, s.now),
    ]);
    return { kind: "challenge", token, expiresAt, strategy };
  }
  const { row, issued } = await prepareSession(s, accountId, 1);
  await s.db.batch([
    insertSessionStatement(s.db, row),
    insertEventStatement(s.db, accountId, "signin", s.source, s.now),
  ]);
  return { kind: "session", session: issued };
}
