/**
 * @module db/schema
 * The D1 tables (drizzle → migrations/). Secrets are stored only as AES-GCM ciphertext or as
 * hashes; every lookup on a request path has an index. Times are Unix milliseconds.
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  /** Normalised: trimmed, lower-cased (see auth/email.ts). */
  email: text("email").notNull().unique(),
  /** `$scrypt$…` string with its parameters, or null for link-only accounts. */
  passwordHash: text("password_hash"),
  emailVerifiedAt: integer("email_verified_at"),
  createdAt: integer("created_at").notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** Public id used to list and revoke; the bearer token itself is never stored. */
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    aal: integer("aal").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("sessions_token_hash_idx").on(t.tokenHash), index("sessions_account_idx").on(t.accountId)],
);

export const mfaCredentials = sqliteTable(
  "mfa_credentials",
  {
    /** Also bound into the ciphertext's additional data. */
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    kind: text("kind").notNull().default("totp"),
    ciphertext: text("ciphertext").notNull(),
    keyId: text("key_id").notNull(),
    algorithm: text("algorithm").notNull(),
    digits: integer("digits").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    /** RFC 6238 §5.2: only a later step is ever accepted. */
    lastUsedStep: integer("last_used_step").notNull(),
    confirmedAt: integer("confirmed_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("mfa_credentials_account_idx").on(t.accountId)],
);

export const mfaEnrollments = sqliteTable(
  "mfa_enrollments",
  {
    /** Becomes the credential id on confirmation, so the ciphertext's binding stays valid. */
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    ciphertext: text("ciphertext").notNull(),
    keyId: text("key_id").notNull(),
    algorithm: text("algorithm").notNull(),
    digits: integer("digits").notNull(),
    periodSeconds: integer("period_seconds").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Set by the one confirmation that wins a race; later statements of its batch check it. */
    claimedBy: text("claimed_by"),
  },
  (t) => [uniqueIndex("mfa_enrollments_account_idx").on(t.accountId)],
);

export const mfaChallenges = sqliteTable(
  "mfa_challenges",
  {
    tokenHash: text("token_hash").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    strategy: text("strategy").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    /** The session this challenge turned into (the claim marker). */
    sessionId: text("session_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("mfa_challenges_account_idx").on(t.accountId)],
);

export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** HMAC-SHA-256 of the normalised code under the key named by key_id. */
    codeHash: text("code_hash").notNull(),
    keyId: text("key_id").notNull(),
    usedAt: integer("used_at"),
    /** The session that spent it (the claim marker). */
    usedBy: text("used_by"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("recovery_codes_account_idx").on(t.accountId, t.usedAt)],
);

export const signInLinks = sqliteTable(
  "sign_in_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("sign_in_links_account_idx").on(t.accountId)],
);

export const accountEvents = sqliteTable(
  "account_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    accountId: text("account_id").notNull(),
    type: text("type").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("account_events_account_idx").on(t.accountId, t.createdAt)],
);

/** Development mailer: what would have been sent. Production mailers do not write here. */
export const outbox = sqliteTable("outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  recipient: text("recipient").notNull(),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
});
