import { defineConfig } from "drizzle-kit";

// `npm run db:generate` turns src/db/schema.ts into SQL under migrations/, applied by wrangler and the tests.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
