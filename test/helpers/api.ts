/**
 * A small API client for tests: calls the Worker in workerd, speaks JSON, keeps the bearer
 * token and the pending challenge, and comes from its own client IP so the per-IP limit of one
 * test never spills into another.
 */
import { exports } from "cloudflare:workers";

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

export type Fetcher = (request: Request) => Promise<Response>;

export const workerFetch: Fetcher = (request) => exports.default.fetch(request);

export interface ErrorBody {
  error: { code: string; message: string };
}

export class ApiClient {
  token?: string;
  challenge?: string;
  readonly ip: string;

  constructor(
    readonly fetcher: Fetcher = workerFetch,
    ip?: string,
  ) {
    this.ip = ip ?? freshIp();
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const h = new Headers({ "CF-Connecting-IP": this.ip, ...headers });
    if (this.token && !h.has("Authorization")) h.set("Authorization", `Bearer ${this.token}`);
    if (body !== undefined) h.set("Content-Type", "application/json");
    return this.fetcher(
      new Request(`${ORIGIN}${path}`, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; res: Response }> {
    const res = await this.call(method, path, body);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res };
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

  async mfa(code: { otp: string } | { recovery_code: string }, strategy = "password") {
    const r = await this.json<{ token?: string }>("POST", `/auth/${strategy}/mfa`, {
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
