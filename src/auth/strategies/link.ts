/**
 * @module auth/strategies/link
 * Magic link: `POST /auth/link {email}` always answers 202; when the account exists a
 * single-use, 15-minute link is mailed. The callback spends it and goes through the gate.
 */
import { z } from "@hono/zod-openapi";
import { sha256Hex } from "../../crypto/hash";
import { randomToken } from "../../crypto/random";
import { findAccountByEmail, markEmailVerifiedStatement } from "../../db/accounts";
import { insertEventStatement } from "../../db/events";
import { consumeLink, insertLinkStatement } from "../../db/links";
import { AppError } from "../../errors";
import { emailSchema } from "../email";
import type { Strategy } from "./types";

const bodySchema = z.object({ email: emailSchema }).openapi("LinkSignIn");

export const LINK_CALLBACK_PATH = "/auth/link/callback";

export const linkStrategy: Strategy<z.infer<typeof bodySchema>> = {
  name: "link",
  summary: "Email me a sign-in link",
  body: bodySchema,
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
    const accountId = token.length <= 128 ? await consumeLink(s.db, await sha256Hex(token), s.now) : undefined;
    if (!accountId) throw new AppError("AUTH_LINK_INVALID");
    // Following the link proves the mailbox.
    await markEmailVerifiedStatement(s.db, accountId, s.now);
    return accountId;
  },
};
