/**
 * @module e2e/steps
 * The moves a person makes in the browser, shared by the journeys: sign up, sign in, sign out,
 * and set up an authenticator from the QR code on the security page.
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { Authenticator } from "./authenticator";
import { at, navigate, type Screenshots, textOf, type Watch } from "./browser";
import { ARTIFACTS, decodeQr } from "./harness";

export const PASSWORD = "correct horse battery staple";

export async function signUp(page: Page, origin: string, email: string): Promise<void> {
  await page.goto(`${origin}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await navigate(page, at("/account"), () => page.getByRole("button", { name: "Create account" }).click());
}

/** Password sign-in; lands on /account, or on the MFA page when the account has a second factor. */
export async function signInWithPassword(page: Page, origin: string, email: string, expectMfa: boolean) {
  await page.goto(`${origin}/login`);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(PASSWORD);
  const landing = expectMfa ? at("/login/mfa", { strategy: "password" }) : at("/account");
  await navigate(page, landing, () => page.getByRole("button", { name: "Sign in", exact: true }).click());
}

export async function signOut(page: Page): Promise<void> {
  await navigate(page, at("/"), () => page.getByRole("button", { name: "Sign out" }).click());
  expect(await page.getByRole("link", { name: "Sign in" }).first().isVisible()).toBe(true);
}

/**
 * Types a code the way a person does, one digit at a time; the page submits by itself on the
 * last digit. Exactly one POST must leave the page (no double submit from the script).
 */
export async function typeCode(
  page: Page,
  watch: Watch,
  field: string,
  code: string,
  arrived: (url: URL) => boolean,
): Promise<void> {
  const before = watch.posts.length;
  await navigate(page, arrived, () => page.locator(field).pressSequentially(code, { delay: 30 }));
  expect(watch.posts.length - before, "form posts sent while typing the code").toBe(1);
}

export interface Enrollment {
  authenticator: Authenticator;
  recoveryCodes: string[];
}

/**
 * From /account: opens the security page, starts the setup, reads the QR code with zbarimg as a
 * phone camera would, checks the otpauth URI against the key shown for typing by hand, confirms
 * with oathtool's code, and keeps the ten recovery codes.
 */
export async function enrollFromQr(
  page: Page,
  watch: Watch,
  shots: Screenshots,
  email: string,
  readme = false,
): Promise<Enrollment> {
  await navigate(page, at("/account/security"), () => page.getByRole("link", { name: "Security settings" }).click());
  await shots.take("security");
  await page.getByRole("button", { name: "Set up authenticator" }).click();
  const qr = page.locator("#totp-qr");
  await qr.waitFor({ state: "visible" });
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  await shots.take("security-setup");
  if (readme) {
    // The setup card at the top of the phone screen: QR code, key and code field in one view.
    await page.locator("#setup-title").evaluate((title) => title.closest("section")?.scrollIntoView());
    await shots.forReadme("security-qr");
  }

  const qrPng = join(ARTIFACTS, `qr-${email.replace(/[^a-z0-9]/gi, "_")}.png`);
  await qr.screenshot({ path: qrPng });
  const uri = await decodeQr(qrPng);
  const shownKey = (await textOf(page.locator("#totp-secret"))).replace(/ /g, "");
  const secret = checkOtpauthUri(uri, email);
  expect(secret, "the QR code's secret is the key shown for typing by hand").toBe(shownKey);

  const authenticator = new Authenticator(secret);
  await typeCode(page, watch, "#token", await authenticator.nextCode(), at("/account/security/confirm"));
  expect(await page.getByRole("heading", { name: "Save your recovery codes" }).isVisible()).toBe(true);
  expect(await textOf(page.getByRole("status"))).toBe("Two-factor authentication is on.");
  const recoveryCodes = (await page.locator("#recovery-codes li").allTextContents()).map((code) => code.trim());
  expect(recoveryCodes).toHaveLength(10);
  expect(new Set(recoveryCodes).size).toBe(10);
  for (const code of recoveryCodes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  await shots.take("recovery-codes");
  return { authenticator, recoveryCodes };
}

/** Checks a decoded Key URI (issuer in label and parameter, account, digits, period) and returns its secret. */
function checkOtpauthUri(uri: string, email: string): string {
  expect(uri).toMatch(/^otpauth:\/\/totp\/[^?]+\?/);
  const [label = "", query = ""] = uri.slice("otpauth://totp/".length).split("?");
  const [issuer, account] = decodeURIComponent(label).split(":");
  const params = new URLSearchParams(query);
  expect({ issuer, account }).toEqual({ issuer: "edge-mfa", account: email });
  expect(params.get("issuer")).toBe("edge-mfa");
  expect(params.get("digits")).toBe("6");
  expect(params.get("period")).toBe("30");
  expect(params.get("algorithm") ?? "SHA1").toBe("SHA1");
  const secret = params.get("secret") ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32,}$/);
  return secret;
}
