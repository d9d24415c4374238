/**
 * @module auth/strategies/types
 * A first-factor strategy proves who the person is and returns an account id — nothing more.
 * It cannot create sessions or challenges: the router passes every result through the gate.
 */
import type { z } from "@hono/zod-openapi";
import type { Services } from "../../services";

/** `authenticated`: go to the gate. `pending`: the proof arrives later (e.g. a link by email). */
export type StrategyResult = { kind: "authenticated"; accountId: string } | { kind: "pending" };

export interface Strategy<Body = unknown> {
  /** The `:strategy` path segment. */
  readonly name: string;
  readonly summary: string;
  readonly body: z.ZodType<Body>;
  start(s: Services, body: Body): Promise<StrategyResult>;
  /** For strategies that finish out of band: turns the callback token into an account. */
  callback?(s: Services, token: string): Promise<string>;
}
