/**
 * The whole sign-in story in a real browser against `wrangler dev`: set up an authenticator from
 * its QR code, sign in with codes and recovery codes, turn two-factor off, and follow an email
 * link into the second factor. The steps run in order and share one browser profile.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, navigate, Screenshots, textOf, type Watch, watchPage } from "./browser";
import { type Browser, type DevServer, launchBrowser, startDevServer } from "./harness";
import { type Enrollment, enrollFromQr, signInWithPassword, signOut, signUp, typeCode } from "./steps";

const run = Date.now().toString(36);
const ada = `ada.${run}@example.com`;
const grace = `grace.${run}@example.com`;

let server: DevServer;
let browser: Browser;
let page: Page;
let watch: Watch;
let shots: Screenshots;
let origin: string;
let ada2fa: Enrollment;

beforeAll(async () => {
  await Screenshots.clean();
  server = await startDevServer();
  origin = server.origin;
  browser = await launchBrowser();
  page = browser.page;
  watch = watchPage(page, origin);
  shots = new Screenshots(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openRecoveryForm() {
  await navigate(page, at("/login/mfa", { mode: "recovery" }), () =>
    page.getByRole("link", { name: "Use a recovery code instead" }).click(),
  );
}

async function submitRecoveryCode(code: string, arrived: (url: URL) => boolean) {
  await page.getByLabel("Recovery code").fill(code);
  await navigate(page, arrived, () => page.getByRole("button", { name: "Use recovery code" }).click());
}

describe("two-factor sign-in in a browser", () => {
  it("signs up with an email and a password and lands on the account page", async () => {
    await signUp(page, origin, ada);
    expect(await textOf(page.locator("main"))).toContain(`Signed in as ${ada}`);
    expect(await textOf(page.locator("main"))).toContain("Two-factor authentication: off");
    await shots.take("account");
  });

  it("sets up an authenticator from the QR code and shows ten recovery codes", async () => {
    ada2fa = await enrollFromQr(page, watch, shots, ada, true);
  });

  it("asks for a code after the password, refuses a wrong one and accepts the next step's", async () => {
    await signOut(page);
    await signInWithPassword(page, origin, ada, true);
    const otp = page.locator("#otp");
    expect(await otp.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await otp.getAttribute("inputmode")).toBe("numeric");
    expect(await otp.evaluate((el) => el === document.activeElement)).toBe(true);
    await shots.take("mfa");
    await shots.forReadme("mfa-code");

    await typeCode(
      page,
      watch,
      "#otp",
      await ada2fa.authenticator.wrongCode(),
      at("/login/mfa", { error: "MFA_OTP_INVALID" }),
    );
    expect(await page.getByRole("alert").isVisible()).toBe(true);
    expect(await textOf(page.getByRole("alert"))).toContain("That code is not right");
    await shots.take("mfa-wrong-code");

    // The enrollment spent the current step; the authenticator moves to the next one.
    await typeCode(page, watch, "#otp", await ada2fa.authenticator.nextCode(), at("/account"));
    expect(await textOf(page.locator("main"))).toContain("assurance level 2");
    expect(await textOf(page.locator("main"))).toContain("Two-factor authentication: on since");
  });

  it("signs in with a recovery code instead of the app", async () => {
    await signOut(page);
    await signInWithPassword(page, origin, ada, true);
    await openRecoveryForm();
    await shots.take("mfa-recovery");
    await submitRecoveryCode(ada2fa.recoveryCodes[0]!, at("/account"));
    expect(await textOf(page.locator("main"))).toContain("assurance level 2");
  });

  it("refuses a recovery code that was already used and accepts another one", async () => {
    await signOut(page);
    await signInWithPassword(page, origin, ada, true);
    await openRecoveryForm();
    await submitRecoveryCode(
      ada2fa.recoveryCodes[0]!,
      at("/login/mfa", { strategy: "password", mode: "recovery", error: "MFA_OTP_INVALID" }),
    );
    expect(await page.getByRole("alert").isVisible()).toBe(true);
    expect(await textOf(page.getByRole("alert"))).toContain("recovery code is not right or was already used");
    await shots.take("mfa-recovery-spent");
    await submitRecoveryCode(ada2fa.recoveryCodes[1]!, at("/account"));
    expect(await textOf(page.locator("main"))).toContain("assurance level 2");
  });

  it("turns two-factor off with the password, after which sign-in needs no code", async () => {
    await navigate(page, at("/account/security"), () => page.getByRole("link", { name: "Security settings" }).click());
    expect(await textOf(page.locator("main"))).toContain("Recovery codes left: 8");
    await shots.take("security-mfa-on");
    await page.getByLabel("Your password").fill("correct horse battery staple");
    await navigate(page, at("/account/security", { notice: "mfa-off" }), () =>
      page.getByRole("button", { name: "Turn off" }).click(),
    );
    expect(await textOf(page.getByRole("status"))).toBe("Two-factor authentication is off.");
    await signOut(page);
    await signInWithPassword(page, origin, ada, false);
    expect(await textOf(page.locator("main"))).toContain("Two-factor authentication: off");
  });

  it("follows an email sign-in link into the second factor", async () => {
    await signOut(page);
    await signUp(page, origin, grace);
    const { authenticator } = await enrollFromQr(page, watch, shots, grace);
    await navigate(page, at("/account"), () => page.getByRole("link", { name: "I saved them" }).click());
    await signOut(page);

    await page.goto(`${origin}/login`);
    await page.locator("#link-email").fill(grace);
    await navigate(page, at("/login/link"), () => page.getByRole("button", { name: "Email me a link" }).click());
    await shots.take("link-sent");
    await navigate(page, at("/dev/outbox"), () => page.getByRole("link", { name: "outbox" }).click());
    await shots.take("outbox");
    const newest = page.locator('a[href*="/auth/link/callback?token="]').first();
    expect(await textOf(newest.locator("xpath=ancestor::div[1]"))).toContain(grace);
    await navigate(page, at("/login/mfa", { strategy: "link" }), () => newest.click());
    await shots.take("mfa-link");
    await typeCode(page, watch, "#otp", await authenticator.nextCode(), at("/account"));
    expect(await textOf(page.locator("main"))).toContain(`Signed in as ${grace}`);
    expect(await textOf(page.locator("main"))).toContain("assurance level 2");
  });

  it("served every page with a strict CSP and logged no console errors", () => {
    const pages = watch.documents.filter((d) => d.status === 200);
    expect(pages.length).toBeGreaterThan(15);
    for (const { url, csp } of pages) {
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
    }
    expect(watch.consoleErrors).toEqual([]);
  });
});
