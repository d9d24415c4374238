/**
 * For the secrets-in-logs suite: captures everything written through console.*, remembers every
 * secret a flow handled (in each spelling it could leak in), and finds any of them in the logs.
 */
import { base32, base64, base64nopad, base64url, base64urlnopad, hex } from "@scure/base";
import { type MockInstance, vi } from "vitest";
import type { Fetcher } from "./api";

const METHODS = ["log", "info", "warn", "error", "debug"] as const;

function stringify(arg: unknown): string {
  if (typeof arg === "string") return arg;
  if (arg instanceof Error)
    return `${arg.name}: ${arg.message}\n${arg.stack ?? ""}${arg.cause ? ` cause: ${stringify(arg.cause)}` : ""}`;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

export interface ConsoleCapture {
  /** One entry per console call: `level: arg arg …`. */
  readonly lines: string[];
  restore(): void;
}

/** Replaces console.log/info/warn/error/debug with recorders (silent, so the run stays readable). */
export function captureConsole(): ConsoleCapture {
  const lines: string[] = [];
  const spies: MockInstance[] = METHODS.map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(`${level}: ${args.map(stringify).join(" ")}`);
    }),
  );
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

type Matcher = { label: string; test(text: string): boolean };

const includes = (label: string, value: string): Matcher => ({ label, test: (t) => t.includes(value) });

/** Every secret seen, as matchers for each spelling it could be logged in. */
export class SecretBook {
  readonly matchers: Matcher[] = [];

  password(value: string): void {
    this.matchers.push(includes("password", value));
  }

  /** A bearer secret (session, challenge or link token), raw or percent-encoded. */
  token(kind: string, value: string): void {
    this.matchers.push(includes(kind, value), includes(`${kind} (url-encoded)`, encodeURIComponent(value)));
  }

  /** A TOTP secret: base32 either case, padded or not, and its raw bytes as hex and base64. */
  totpSecret(base32Text: string): void {
    const bare = base32Text.replace(/=+$/, "").toUpperCase();
    const raw = base32.decode(bare.padEnd(Math.ceil(bare.length / 8) * 8, "="));
    for (const [label, value] of [
      ["totp secret (base32)", bare],
      ["totp secret (base32, lower)", bare.toLowerCase()],
      ["totp secret (hex)", hex.encode(raw)],
      ["totp secret (HEX)", hex.encode(raw).toUpperCase()],
      ["totp secret (base64)", base64nopad.encode(raw)],
      ["totp secret (base64, padded)", base64.encode(raw)],
      ["totp secret (base64url)", base64urlnopad.encode(raw)],
      ["totp secret (base64url, padded)", base64url.encode(raw)],
    ] as const) {
      this.matchers.push(includes(label, value));
    }
  }

  /** A submitted OTP: six digits not inside a longer number. */
  otp(code: string): void {
    const pattern = new RegExp(`(?<![0-9])${code}(?![0-9])`);
    this.matchers.push({ label: `otp ${code.slice(0, 2)}…`, test: (t) => pattern.test(t) });
  }

  /** A recovery code with and without its dashes, in either case. */
  recoveryCode(code: string): void {
    const compact = code.replace(/-/g, "");
    for (const value of [code, compact]) {
      this.matchers.push({ label: "recovery code", test: (t) => t.toUpperCase().includes(value.toUpperCase()) });
    }
  }

  /** Every (line, secret kind) where a secret shows up. */
  leaks(lines: readonly string[]): string[] {
    const found: string[] = [];
    for (const line of lines) {
      for (const m of this.matchers)
        if (m.test(line)) found.push(`${m.label} in ${JSON.stringify(line.slice(0, 160))}`);
    }
    return found;
  }

  /** A fetcher that records the secrets each JSON answer hands out (tokens, challenges, codes, secrets). */
  recording(inner: Fetcher): Fetcher {
    return async (request) => {
      const res = await inner(request);
      if ((res.headers.get("Content-Type") ?? "").includes("application/json")) {
        const body = (await res.clone().json()) as Record<string, unknown>;
        if (typeof body.token === "string") this.token("session token", body.token);
        if (typeof body.challenge === "string") this.token("challenge token", body.challenge);
        if (Array.isArray(body.recovery_codes)) for (const c of body.recovery_codes) this.recoveryCode(String(c));
        const mfa = body.mfa as { secret?: string } | undefined;
        if (typeof mfa?.secret === "string") this.totpSecret(mfa.secret);
      }
      return res;
    };
  }
}
