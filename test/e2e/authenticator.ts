/**
 * @module e2e/authenticator
 * A phone's authenticator app, backed by `oathtool`, that remembers which time steps it already
 * spent: the server accepts each step once (RFC 6238 §5.2), so a second sign-in within the same
 * 30 s uses the next step's code, and waits when even that is spent.
 */
import { totpAt } from "./harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Authenticator {
  private lastStep = Number.NEGATIVE_INFINITY;

  constructor(
    readonly secret: string,
    readonly periodSeconds = 30,
    /** Steps the server accepts either side of its clock (config/auth.ts `totp.window`). */
    readonly window = 1,
  ) {}

  private stepAt(ms: number): number {
    return Math.floor(ms / 1000 / this.periodSeconds);
  }

  /** The code of the earliest step that is unspent and that the server accepts now. */
  async nextCode(): Promise<string> {
    for (;;) {
      const nowStep = this.stepAt(Date.now());
      const step = Math.max(this.lastStep + 1, nowStep);
      if (step <= nowStep + this.window) {
        this.lastStep = step;
        return totpAt(this.secret, step * this.periodSeconds * 1000);
      }
      // Every step the server would accept is spent: wait for the clock to move on.
      await sleep((step - this.window) * this.periodSeconds * 1000 - Date.now() + 250);
    }
  }

  /** A well-formed code that matches no step the server could accept in the next minute. */
  async wrongCode(): Promise<string> {
    const nowStep = this.stepAt(Date.now());
    const valid = new Set<string>();
    for (let step = nowStep - this.window; step <= nowStep + this.window + 1; step++) {
      valid.add(await totpAt(this.secret, step * this.periodSeconds * 1000));
    }
    for (let n = 0; ; n++) {
      const candidate = String(n).padStart(6, "0");
      if (!valid.has(candidate)) return candidate;
    }
  }
}
