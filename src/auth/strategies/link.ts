/**
 * @module auth/strategies/link
 * Magic link: `POST /auth/link {email}` always answers 202; when the account exists a
 * single-use, 15-minute link is mailed. The callback checks it; the gate spends it in the same
 * transaction that issues the session or challenge.
 */
import { z } from "@hono/zod-openapi";
import { sha256Hex } from "../../crypto/hash";
import { randomToken } from "../../crypto/random";
import { findAccountByEmail, markEmailVerifiedIf } from "../../db/accounts";
import { insertEventStatement } from "../../db/events";
import { findLiveLink, insertLinkStatement, linkIsLive, spendLinkIf } from "../../db/links";
import { AppError } from "../../errors";
import { emailSchema } from "../email";
import type { Strategy } from "./types";

const bodySchema = z.object({ email: emailSchema }).openapi("LinkSignIn");

export const LINK_CALLBACK_PATH = "/auth/link/callback";

export const linkStrategy: Strategy<z.infer<typeof bodySchema>> = {
  name: "link",
  summary: "Email me a sign-in link",
  body: bodySchema,
  answers: "pending",
  errors: ["SERVER_MISCONFIGURED"],
  async start(s, { email }) {
    const account = await findAccountByEmail(s.db, email);
    if (account) {
      const token = randomToken();
      const url = `${s.origin}${LINK_CALLBACK_PATH}?token=${encodeURIComponent(token)}`;
      const minutes = Math.round(s.policy.ttl.signInLinkSeconds / 60);
      // Mail first: if storage then fails, the mail holds a dead link rather than a live link nobody got.
      await s.mailer.send({
        to: email,
        subject: `Your ${s.policy.issuer} sign-in link`,
        body: `Open this link within ${minutes} minutes to sign in: ${url}\nIf you did not ask for it, ignore this mail.`,
      });
      await s.db.batch([
        insertLinkStatement(s.db, {
          tokenHash: await sha256Hex(token),
          accountId: account.id,
          expiresAt: s.now + s.policy.ttl.signInLinkSeconds * 1000,
          createdAt: s.now,
        }),
        insertEventStatement(s.db, account.id, "link_sent", s.source, s.now),
      ]);
    }
    // The answer is 202 whether or not the account exists.
    return { kind: "pending" };
  },
  async callback(s, token) {
    const tokenHash = await sha256Hex(token);
    const accountId = token.length <= 128 ? await findLiveLink(s.db, tokenHash, s.now) : undefined;
    if (!accountId) throw new AppError("AUTH_LINK_INVALID");
    return {
      accountId,
      proof: {
        live: linkIsLive(tokenHash, s.now),
        // Following the link proves the mailbox; both are written with the session, or not at all.
        spend: (issued) => [spendLinkIf(tokenHash, s.now, issued), markEmailVerifiedIf(accountId, s.now, issued)],
        lost: "AUTH_LINK_INVALID",
      },
    };
  },
};
