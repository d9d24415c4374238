/**
 * A small API client for tests: calls the Worker in workerd, speaks JSON (or a form), keeps the
 * bearer token and the pending challenge — or, with `{ cookies: true }`, a cookie jar like a
 * browser — and comes from its own client IP so the per-IP limit of one test never spills into
 * another. Every secret it is handed is recorded for the at-rest scan (see at-rest.ts).
 */
import { exports } from "cloudflare:workers";
import { remember, rememberBody, rememberCookies } from "./at-rest";
import { CookieJar } from "./cookies";

export const ORIGIN = "https://mfa.test";

let ipCounter = 0;
export function freshIp(): string {
  ipCounter++;
  return `198.51.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

let emailCounter = 0;
export function freshEmail(tag = "user"): string {
  emailCounter++;
  return `${tag}-${emailCounter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

export const PASSWORD = "correct horse battery staple";
remember("password", PASSWORD);

export type Fetcher = (request: Request) => Promise<Response>;

export const workerFetch: Fetcher = (request) => exports.default.fetch(request);

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface ClientOptions {
  /** Keep cookies like a browser instead of sending the bearer token. */
  cookies?: boolean;
}

type Answer<T> = { status: number; body: T; res: Response };

async function record(res: Response): Promise<void> {
  rememberCookies(res);
  if ((res.headers.get("Content-Type") ?? "").includes("application/json")) {
    const text = await res.clone().text();
    try {
      if (text) rememberBody(JSON.parse(text));
    } catch {
      // Not JSON after all: the test reading this answer will say so; nothing to remember.
    }
  }
}

export class ApiClient {
  token?: string;
  challenge?: string;
  readonly ip: string;
  readonly jar?: CookieJar;

  constructor(
    readonly fetcher: Fetcher = workerFetch,
    ip?: string,
    options: ClientOptions = {},
  ) {
    this.ip = ip ?? freshIp();
    if (options.cookies) this.jar = new CookieJar();
  }

  /** Sends `body` as JSON; a string body is sent as it is (for malformed or other media types). */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h = new Headers({ "CF-Connecting-IP": this.ip, ...headers });
    if (this.token && !this.jar && !h.has("Authorization")) h.set("Authorization", `Bearer ${this.token}`);
    const cookie = this.jar?.header(path);
    if (cookie && !h.has("Cookie")) h.set("Cookie", cookie);
    if (body !== undefined && !h.has("Content-Type")) h.set("Content-Type", "application/json");
    const res = await this.fetcher(
      new Request(`${ORIGIN}${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        redirect: "manual",
      }),
    );
    this.jar?.store(res);
    await record(res);
    return res;
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const res = await this.call(method, path, body, headers);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res };
  }

  /** An HTML form post (application/x-www-form-urlencoded), as a browser without JavaScript sends it. */
  async form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.call("POST", path, new URLSearchParams(fields).toString(), {
      "Content-Type": "application/x-www-form-urlencoded",
      ...headers,
    });
  }

  async signUp(email = freshEmail(), password = PASSWORD) {
    const r = await this.json<{ token: string }>("POST", "/auth/signup", { email, password });
    if (r.status !== 201) throw new Error(`signup failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.token;
    return { email, password };
  }

  /** Password sign-in; keeps the session token or the challenge. */
  async signIn(email: string, password = PASSWORD) {
    this.token = undefined;
    const r = await this.json<{ token?: string; challenge?: string; mfa_required?: boolean; redirect_to: string }>(
      "POST",
      "/auth/password",
      { email, password },
    );
    if (r.body?.token) this.token = r.body.token;
    if (r.body?.challenge) this.challenge = r.body.challenge;
    return r;
  }

  /**
   * Magic-link sign-in: asks for a link, reads it from the development outbox, follows it as
   * an API client (Accept: application/json); keeps the session token or the challenge.
   * It reads the newest link for `email`, so run several for one email one after another.
   */
  async signInWithLink(email: string) {
    this.token = undefined;
    const sent = await this.call("POST", "/auth/link", { email });
    if (sent.status !== 202) throw new Error(`link request failed: ${sent.status}`);
    const { linkTokenFromOutbox } = await import("./db");
    const linkToken = await linkTokenFromOutbox(email);
    remember("link-token", linkToken);
    const r = await this.json<{ token?: string; challenge?: string; mfa_required?: boolean; redirect_to: string }>(
      "GET",
      `/auth/link/callback?token=${encodeURIComponent(linkToken)}`,
      undefined,
      { Accept: "application/json" },
    );
    if (r.body?.token) this.token = r.body.token;
    if (r.body?.challenge) this.challenge = r.body.challenge;
    return { ...r, linkToken };
  }

  async mfa(code: { otp: string } | { recovery_code: string }, strategy = "password") {
    const r = await this.json<{ token?: string; redirect_to?: string }>("POST", `/auth/${strategy}/mfa`, {
      ...code,
      challenge: this.challenge,
    });
    if (r.status === 200 && r.body.token) this.token = r.body.token;
    return r;
  }

  /** Starts and confirms enrollment; returns the base32 secret and the recovery codes. */
  async enroll(now = Date.now()) {
    const start = await this.json<{ mfa: { secret: string } }>("GET", "/api/v1/account/mfa");
    if (start.status !== 200) throw new Error(`enroll start failed: ${start.status} ${JSON.stringify(start.body)}`);
    const { codeAt } = await import("./authenticator");
    const secret = start.body.mfa.secret;
    const confirm = await this.json<{ recovery_codes: string[] }>("PUT", "/api/v1/account/mfa", {
      token: codeAt(secret, now),
      secret,
    });
    if (confirm.status !== 200)
      throw new Error(`enroll confirm failed: ${confirm.status} ${JSON.stringify(confirm.body)}`);
    return { secret, recoveryCodes: confirm.body.recovery_codes, confirmedStepAt: now };
  }
}
