/**
 * @module auth/mailer
 * Where sign-in links go. Development writes them to the outbox table (see /dev/outbox) and logs
 * that a mail was queued — never the link itself, which is a bearer secret.
 */
import type { Db } from "../db/client";
import { insertOutboxStatement } from "../db/outbox";
import { AppError } from "../errors";

export interface Mail {
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export function outboxMailer(db: Db, now: number): Mailer {
  return {
    async send(mail) {
      await insertOutboxStatement(db, { recipient: mail.to, subject: mail.subject, body: mail.body }, now);
      console.log(`mailer(dev): queued "${mail.subject}" in the outbox (open /dev/outbox)`);
    },
  };
}

/** Outside development, with no mailer wired in, links cannot be delivered: say so, for everyone alike. */
export const unconfiguredMailer: Mailer = {
  async send() {
    console.error("mailer: no mailer is configured for this environment; sign-in links cannot be sent");
    throw new AppError("SERVER_MISCONFIGURED", { message: "Sign-in links are not configured on this server." });
  },
};
