/**
 * @module services
 * What every service function receives: storage, limiter, policy, the clock reading and the
 * client, built once per request at the edge. Services never read the clock or Hono's context.
 */
import type { AuthPolicy } from "../config/auth";
import type { Mailer } from "./auth/mailer";
import type { Keyring } from "./crypto/keyring";
import type { Db } from "./db/client";
import type { EventSource } from "./db/events";
import type { LimiterClient } from "./limits/client";

export interface Services {
  db: Db;
  limiter: LimiterClient;
  policy: AuthPolicy;
  /** Unix milliseconds for this request. */
  now: number;
  source: EventSource;
  /** This deployment's public origin, for links in mail. */
  origin: string;
  mailer: Mailer;
  /** The encryption keys; rejects with 503 SERVER_MISCONFIGURED when none is valid. */
  keyring(): Promise<Keyring>;
}
