/**
 * @module e2e/browser
 * What the journey watches on every page: the document responses' CSP, console errors (CSP
 * violations are reported there), form posts, horizontal overflow at phone width; plus the
 * screenshots it leaves in test-artifacts/e2e/ and the navigation helper for form submits.
 */
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { ARTIFACTS, README_SHOTS } from "./harness";

export interface DocumentSeen {
  url: string;
  status: number;
  csp: string | undefined;
}

export interface Watch {
  documents: DocumentSeen[];
  consoleErrors: string[];
  /** Pathnames of every POST the page sent, in order. */
  posts: string[];
}

export function watchPage(page: Page, origin: string): Watch {
  const watch: Watch = { documents: [], consoleErrors: [], posts: [] };
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(`${message.text()} (on ${page.url()})`);
  });
  page.on("pageerror", (error) => watch.consoleErrors.push(`uncaught: ${error.message} (on ${page.url()})`));
  page.on("request", (request) => {
    if (request.method() === "POST" && request.url().startsWith(origin))
      watch.posts.push(new URL(request.url()).pathname);
  });
  page.on("response", (response) => {
    if (response.request().resourceType() !== "document" || !response.url().startsWith(origin)) return;
    watch.documents.push({
      url: response.url(),
      status: response.status(),
      csp: response.headers()["content-security-policy"],
    });
  });
  return watch;
}

/**
 * Runs `act` (a click, typing the last digit…) and waits until the page has loaded a URL that
 * `arrived` accepts. `arrived` must reject the URL the page is on before `act`.
 */
export async function navigate(page: Page, arrived: (url: URL) => boolean, act: () => Promise<unknown>) {
  if (arrived(new URL(page.url()))) throw new Error(`already at ${page.url()}: the wait could not tell`);
  await Promise.all([page.waitForURL(arrived, { waitUntil: "load" }), act()]);
}

/** An element's text with whitespace collapsed, as a person reads it. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

/** `path` plus any query parameters, for `navigate` predicates. */
export const at =
  (pathname: string, params: Record<string, string> = {}) =>
  (url: URL) =>
    url.pathname === pathname && Object.entries(params).every(([k, v]) => url.searchParams.get(k) === v);

export class Screenshots {
  private count = 0;

  constructor(private readonly page: Page) {}

  static async clean(): Promise<void> {
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
  }

  /**
   * Saves the whole page as test-artifacts/e2e/NN-name.png and checks that it renders in
   * standards mode and fits the phone's width (a page wider than the viewport scrolls sideways).
   */
  async take(name: string): Promise<string> {
    const file = join(ARTIFACTS, `${String(++this.count).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    const { scrollWidth, innerWidth, compatMode } = await this.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      compatMode: document.compatMode,
    }));
    expect(scrollWidth, `${name} scrolls sideways at ${innerWidth}px`).toBeLessThanOrEqual(innerWidth);
    expect(compatMode, `${name} renders in quirks mode (no doctype)`).toBe("CSS1Compat");
    return file;
  }

  /**
   * A viewport-sized shot for the README (test-artifacts/e2e/readme-name.png), kept small. It is
   * copied to test/e2e/readme/ only with UPDATE_README_SCREENSHOTS=1, so ordinary runs leave the
   * committed images alone (each run has a new secret, hence a new QR code).
   */
  async forReadme(name: string): Promise<string> {
    const file = join(ARTIFACTS, `readme-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: false });
    const { size } = await stat(file);
    expect(size, `${name}.png is ${size} bytes`).toBeLessThan(80 * 1024);
    if (process.env.UPDATE_README_SCREENSHOTS === "1") {
      await mkdir(README_SHOTS, { recursive: true });
      await copyFile(file, join(README_SHOTS, `${name}.png`));
    }
    return file;
  }
}
