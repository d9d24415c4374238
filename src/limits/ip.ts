/**
 * @module limits/ip
 * The per-client-IP limit on /auth/* and enrollment confirmation. Called by handlers after the
 * body validated, so a rejected request leaves no trace in the Limiter.
 */
import { AppError } from "../errors";
import type { Services } from "../services";

export async function limitClientIp(s: Services): Promise<void> {
  const verdict = await s.limiter.ipRequest(s.source.ip, s.now);
  if (!verdict.ok) throw new AppError("RATE_LIMITED", { retryAfterSeconds: verdict.retryAfterSeconds });
}
