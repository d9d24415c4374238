/**
 * A strategy added later cannot skip the MFA gate: strategies return an account id, and the
 * router alone turns it into a session or a challenge.
 */
import { z } from "@hono/zod-openapi";
import { afterAll, describe, expect, it } from "vitest";
import { emailSchema } from "../../src/auth/email";
import { defaultStrategies } from "../../src/auth/strategies";
import type { Strategy } from "../../src/auth/strategies/types";
import { findAccountByEmail } from "../../src/db/accounts";
import { AppError } from "../../src/errors";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { challengesOf, sessionByToken, sessionsOf } from "../helpers/db";
import { expectChallengeCookie, expectError } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

/** Trusts an email alone — the worst a careless future strategy could do. */
const emailOnly: Strategy<{ email: string }> = {
  name: "email-only",
  summary: "Test strategy: sign in by email alone",
  body: z.object({ email: emailSchema }),
  async start(s, { email }) {
    const account = await findAccountByEmail(s.db, email);
    if (!account) throw new AppError("AUTH_INVALID_CREDENTIALS");
    return { kind: "authenticated", accountId: account.id };
  },
};

const withEmailOnly = () => clockedApp({ strategies: [...defaultStrategies, emailOnly] });

describe("a strategy added later", () => {
  it("yields a challenge and no session for an account with MFA", async () => {
    const { clock, client } = withEmailOnly();
    const { email, accountId } = await enrolledAccount(client(), { now: clock.now });
    const sessionsBefore = await sessionsOf(accountId);

    const r = await client().json<{ mfa_required: boolean; redirect_to: string; challenge: string; token?: string }>(
      "POST",
      "/auth/email-only",
      { email },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      mfa_required: true,
      redirect_to: "/login/mfa?strategy=email-only",
      challenge: expect.any(String),
    });
    expectChallengeCookie(r.res, r.body.challenge);
    expect(await sessionsOf(accountId)).toEqual(sessionsBefore);
    expect((await challengesOf(accountId)).map((c) => c.strategy)).toEqual(["email-only"]);
  });

  it("completes only through its own MFA endpoint with a current code", async () => {
    const { clock, client } = withEmailOnly();
    const { email, secret, accountId } = await enrolledAccount(client(), { now: clock.now });
    const c = client();
    c.challenge = (await c.json<{ challenge: string }>("POST", "/auth/email-only", { email })).body.challenge;
    clock.advance(30_000);
    const code = codeAt(secret, clock.now);

    expectError(await c.mfa({ otp: code }, "password"), 401, "MFA_CHALLENGE_INVALID");
    const r = await c.mfa({ otp: code }, "email-only");
    expect(r.status).toBe(200);
    expect(await sessionByToken(c.token!)).toMatchObject({ account_id: accountId, aal: 2 });
  });

  it("gets an aal-1 session for an account without MFA, like the built-in strategies", async () => {
    const { clock, client } = withEmailOnly();
    const { email, accountId } = await seedAccount({ now: clock.now });
    const c = client();
    const r = await c.json<{ token: string; redirect_to: string }>("POST", "/auth/email-only", { email });
    expect(r.status).toBe(200);
    expect(r.body.redirect_to).toBe("/account");
    expect(await sessionByToken(r.body.token)).toMatchObject({ account_id: accountId, aal: 1 });
  });

  it("is absent from an app built without it: 404 AUTH_STRATEGY_UNKNOWN", async () => {
    const { clock, client } = clockedApp();
    const { email } = await seedAccount({ now: clock.now });
    expectError(await client().json("POST", "/auth/email-only", { email }), 404, "AUTH_STRATEGY_UNKNOWN");
  });
});
