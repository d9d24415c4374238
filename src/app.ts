/**
 * @module app
 * Builds the Hono app: global middleware, the feature routers, the OpenAPI document, and the
 * one error handler. `createApp` takes options so tests can add a strategy or swap a clock.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./env";
import { healthRouter } from "./http/health";
import { notFound, onError } from "./http/problem";
import { validationHook } from "./http/validation";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  const routes = app.route("/", healthRouter);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "edge-mfa", version: "0.1.0", description: "Two-factor authentication (TOTP) at the edge." },
  });
  app.notFound(notFound);
  app.onError(onError);
  return routes;
}

export const app = createApp();
export type AppType = typeof app;
