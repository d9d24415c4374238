/**
 * @module http/health
 * Liveness: answers without touching storage, so it measures the Worker alone.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["meta"],
  summary: "Liveness check",
  responses: {
    200: {
      description: "The Worker is serving",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

export const healthRouter = new OpenAPIHono<AppEnv>().openapi(healthRoute, (c) =>
  c.json({ status: "ok" as const }, 200),
);
