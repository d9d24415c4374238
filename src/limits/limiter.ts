/**
 * @module limits/limiter
 * The counters behind every rate limit and lockout, one SQLite-backed Durable Object per key.
 */
import { DurableObject } from "cloudflare:workers";

export class Limiter extends DurableObject<Cloudflare.Env> {}
