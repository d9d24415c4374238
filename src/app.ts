/**
 * @module app
 * Builds the Hono app: global middleware, the feature routers, the OpenAPI document, and the
 * one error handler. `createApp` takes options so tests can add a strategy, a policy or a clock.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import authConfig, { type AuthPolicy } from "../config/auth";
import { accountRouter } from "./account/routes";
import { adminRouter } from "./admin/routes";
import type { Mailer } from "./auth/mailer";
import { authRouter } from "./auth/routes";
import { type AnyStrategy, defaultStrategies } from "./auth/strategies";
import type { AppEnv } from "./env";
import { AppError } from "./errors";
import { formsAsJson } from "./http/body";
import { csrfGuard } from "./http/csrf";
import { devRouter } from "./http/dev";
import { healthRouter } from "./http/health";
import { withFormMediaType } from "./http/openapi";
import { notFound, onError } from "./http/problem";
import { securityHeaders } from "./http/security-headers";
import { services } from "./http/services";
import { validationHook } from "./http/validation";
import { pagesRouter } from "./pages/routes";

export interface AppOptions {
  policy?: AuthPolicy;
  clock?: () => number;
  strategies?: readonly AnyStrategy[];
  mailer?: (env: Cloudflare.Env) => Mailer;
  /** Bound on each Limiter call; tests of the fail-closed timeout shorten it. */
  limiterTimeoutMs?: number;
}

export function createApp(options: AppOptions = {}) {
  const policy = options.policy ?? authConfig;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  app.use(securityHeaders());
  app.use(
    bodyLimit({
      maxSize: policy.maxBodyBytes,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE");
      },
    }),
  );
  app.use(csrfGuard());
  // The HTML pages parse their own forms; the API accepts a form as the equivalent JSON.
  app.use("/auth/*", formsAsJson());
  app.use("/api/*", formsAsJson());
  app.use(
    services({
      policy,
      clock: options.clock ?? Date.now,
      mailer: options.mailer,
      limiterTimeoutMs: options.limiterTimeoutMs,
    }),
  );

  const routes = app
    .route("/", healthRouter)
    .route("/", authRouter(options.strategies ?? defaultStrategies))
    .route("/", accountRouter)
    .route("/", adminRouter);
  app.route("/", pagesRouter);
  app.route("/", devRouter);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "session",
  });
  // Generated from the routes' zod schemas; every JSON body is documented as a form too.
  app.get("/openapi.json", (c) =>
    c.json(
      withFormMediaType(
        app.getOpenAPI31Document({
          openapi: "3.1.0",
          info: {
            title: "edge-mfa",
            version: "0.1.0",
            description:
              'Two-factor authentication (TOTP, RFC 6238) at the edge. Errors: {"error":{"code","message"}}.',
          },
        }),
      ),
    ),
  );
  app.notFound(notFound);
  app.onError(onError);
  return routes;
}

export const app = createApp();
export type AppType = typeof app;
