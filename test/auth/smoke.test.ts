import { afterAll, describe, expect, it } from "vitest";
import { ApiClient } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt } from "../helpers/authenticator";

afterAll(expectNothingInPlaintextAtRest);

describe("sign-in with a second factor (smoke)", () => {
  it("signs up, enrolls, signs in with a code and gets an aal-2 session", async () => {
    const client = new ApiClient();
    const { email } = await client.signUp();
    const { secret, recoveryCodes } = await client.enroll();
    expect(recoveryCodes).toHaveLength(10);

    const first = await client.signIn(email);
    expect(first.status).toBe(200);
    expect(first.body.mfa_required).toBe(true);
    expect(first.body.redirect_to).toBe("/login/mfa?strategy=password");
    expect(client.token).toBeUndefined();

    const done = await client.mfa({ otp: codeAt(secret, Date.now() + 30_000) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const security = await client.json<{ sessions: { aal: number; current: boolean }[] }>(
      "GET",
      "/api/v1/account/security",
    );
    expect(security.status).toBe(200);
    expect(security.body.sessions.find((s) => s.current)?.aal).toBe(2);
  });
});
