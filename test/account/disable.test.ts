/**
 * Turning MFA off: `DELETE /api/v1/account/mfa {sudo_password}` (or `{otp}` for an account
 * without a password) removes the authenticator and every recovery code.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiClient, PASSWORD } from "../helpers/api";
import { expectNothingInPlaintextAtRest } from "../helpers/at-rest";
import { codeAt, wrongCodeAt } from "../helpers/authenticator";
import { clockedApp } from "../helpers/clock";
import { credentialsOf, enrollmentsOf, eventTypesOf, recoveryCodesOf } from "../helpers/db";
import { expectError } from "../helpers/expect";
import { enrolledAccount } from "../helpers/flows";
import { seedAccount } from "../helpers/seed";

afterAll(expectNothingInPlaintextAtRest);

const disable = (client: ApiClient, body: Record<string, string>) => client.json("DELETE", "/api/v1/account/mfa", body);

describe("DELETE /api/v1/account/mfa", () => {
  it("with the password answers 204 and removes the credential, pending setup and recovery codes", async () => {
    const owner = new ApiClient();
    const { accountId } = await enrolledAccount(owner);
    await owner.json("GET", "/api/v1/account/mfa");
    const r = await disable(owner, { sudo_password: PASSWORD });
    expect(r.status).toBe(204);
    expect(await credentialsOf(accountId)).toEqual([]);
    expect(await enrollmentsOf(accountId)).toEqual([]);
    expect(await recoveryCodesOf(accountId)).toEqual([]);
    expect(await eventTypesOf(accountId)).toContain("mfa_disabled");
  });

  it("lets the password alone sign in afterwards", async () => {
    const owner = new ApiClient();
    const { email } = await enrolledAccount(owner);
    expect((await disable(owner, { sudo_password: PASSWORD })).status).toBe(204);
    const r = await new ApiClient().signIn(email);
    expect(r.status).toBe(200);
    expect(r.body.mfa_required).toBeUndefined();
    expect(r.body.redirect_to).toBe("/account");
  });

  it("refuses a wrong password with 401 SUDO_INVALID and keeps MFA on", async () => {
    const owner = new ApiClient();
    const { accountId } = await enrolledAccount(owner);
    expectError(await disable(owner, { sudo_password: "not the password" }), 401, "SUDO_INVALID");
    expect(await credentialsOf(accountId)).toHaveLength(1);
    expect(await recoveryCodesOf(accountId)).toHaveLength(10);
  });

  it("refuses a code instead of the password for an account that has one with 401 SUDO_INVALID", async () => {
    const owner = new ApiClient();
    const { accountId, secret } = await enrolledAccount(owner);
    expectError(await disable(owner, { otp: codeAt(secret, Date.now() + 30_000) }), 401, "SUDO_INVALID");
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("lets an account without a password confirm with a current code", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { accountId, secret } = await enrolledAccount(owner, { now: clock.now, withPassword: false });
    clock.advance(30_000);
    expect((await disable(owner, { otp: codeAt(secret, clock.now) })).status).toBe(204);
    expect(await credentialsOf(accountId)).toEqual([]);
  });

  it("refuses a wrong code for an account without a password with 401 SUDO_INVALID", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { accountId, secret } = await enrolledAccount(owner, { now: clock.now, withPassword: false });
    expectError(await disable(owner, { otp: wrongCodeAt(secret, clock.now) }), 401, "SUDO_INVALID");
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("refuses the already-burned enrollment code for an account without a password", async () => {
    const { clock, client } = clockedApp();
    const owner = client();
    const { accountId, secret } = await enrolledAccount(owner, { now: clock.now, withPassword: false });
    expectError(await disable(owner, { otp: codeAt(secret, clock.now) }), 401, "SUDO_INVALID");
    expect(await credentialsOf(accountId)).toHaveLength(1);
  });

  it("answers 404 MFA_NOT_ENABLED when the account has no authenticator", async () => {
    const client = new ApiClient();
    await seedAccount({ client });
    expectError(await disable(client, { sudo_password: PASSWORD }), 404, "MFA_NOT_ENABLED");
  });

  it("answers without a session with 401 UNAUTHENTICATED", async () => {
    expectError(await disable(new ApiClient(), { sudo_password: PASSWORD }), 401, "UNAUTHENTICATED");
  });
});
