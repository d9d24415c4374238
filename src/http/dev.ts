/**
 * @module http/dev
 * Development-only introspection (404 elsewhere): a Limiter object's stored counters, so the
 * soak can check that every counter equals what its clients sent. Holds no secrets.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { isDevelopment } from "./services";

export const devRouter = new Hono<AppEnv>().get("/dev/limiter/:name", async (c) => {
  if (!isDevelopment(c.env)) throw new AppError("NOT_FOUND");
  const name = c.req.param("name");
  if (!/^(mfa|pw|ip):[A-Za-z0-9_.:-]{1,128}$/.test(name)) throw new AppError("NOT_FOUND");
  return c.json(await c.env.LIMITER.getByName(name).snapshot());
});
