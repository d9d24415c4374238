/**
 * @module auth/strategies/types
 * A first-factor strategy proves who the person is and returns an account id — nothing more.
 * It cannot create sessions or challenges: the router passes every result through the gate.
 */
import type { z } from "@hono/zod-openapi";
import type { ErrorCode } from "../../errors";
import type { Services } from "../../services";
import type { SpendableProof } from "../gate";

/** `authenticated`: go to the gate. `pending`: the proof arrives later (e.g. a link by email). */
export type StrategyResult = { kind: "authenticated"; accountId: string } | { kind: "pending" };

export interface Strategy<Body = unknown> {
  /** The `:strategy` path segment. */
  readonly name: string;
  readonly summary: string;
  readonly body: z.ZodType<Body>;
  /** What `start` answers, for the OpenAPI document: the gate's result (default), or 202 (proof by mail). */
  readonly answers?: "gate" | "pending";
  /** The error codes `start` itself can raise, for the OpenAPI document. */
  readonly errors?: readonly ErrorCode[];
  start(s: Services, body: Body): Promise<StrategyResult>;
  /**
   * For strategies that finish out of band: finds the account a callback token proves, without
   * spending it — the gate spends the proof in the transaction that issues the session.
   */
  callback?(s: Services, token: string): Promise<{ accountId: string; proof: SpendableProof }>;
}
