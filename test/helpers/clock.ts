/**
 * An app built with `createApp({ clock })`, called in workerd with a fresh ExecutionContext, so
 * tests can move time: TOTP steps, challenge and enrollment expiry, session idle timeouts.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type AppOptions, createApp } from "../../src/app";
import { ApiClient, type Fetcher } from "./api";
import { STEP_MS } from "./db";

export type App = ReturnType<typeof createApp>;

export class TestClock {
  constructor(public now: number) {}
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

/** Middle of the current real TOTP step: codes of the steps either side are unambiguous. */
export const alignedNow = (): number => Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2;

/** Calls `app` as workerd would, with the test bindings plus `overrides` (e.g. other keys). */
export function appFetcher(app: App, overrides: Partial<Cloudflare.Env> = {}): Fetcher {
  return async (request) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(request, { ...env, ...overrides }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

export interface ClockedApp {
  app: App;
  clock: TestClock;
  fetcher: Fetcher;
  /** A client of this app from a fresh IP (optionally with a cookie jar). */
  client(options?: { cookies?: boolean }): ApiClient;
  /** The same app seen with other bindings (e.g. MFA_ENCRYPTION_KEYS). */
  withEnv(overrides: Partial<Cloudflare.Env>): Fetcher;
}

export function clockedApp(options: Omit<AppOptions, "clock"> & { start?: number } = {}): ClockedApp {
  const clock = new TestClock(options.start ?? alignedNow());
  const app = createApp({ ...options, clock: () => clock.now });
  const fetcher = appFetcher(app);
  return {
    app,
    clock,
    fetcher,
    client: (o = {}) => new ApiClient(fetcher, undefined, o),
    withEnv: (overrides) => appFetcher(app, overrides),
  };
}
