/**
 * @module index
 * The Worker entry: the Hono app as the fetch handler, and the Durable Object classes.
 */
import { app } from "./app";

export type { AppType } from "./app";
export { Limiter } from "./limits/limiter";
export default app;
