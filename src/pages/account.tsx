/**
 * @module pages/account
 * The signed-in pages: the account overview and the security page (authenticator setup with
 * its QR code, recovery codes shown once, turning MFA off, sessions).
 */
import type { PendingEnrollmentView } from "../account/pending";
import type { SessionView } from "../account/security";
import { Banner, Layout } from "./layout";

export interface SecurityModel {
  email: string;
  mfaEnabledAt: string | null;
  recoveryCodesRemaining: number;
  hasPassword: boolean;
  sessions: SessionView[];
  pending: PendingEnrollmentView | null;
  digits: number;
  canManage: boolean;
}

export function AccountPage(props: { email: string; mfaEnabledAt: string | null; aal: number; notice?: string }) {
  return (
    <Layout title="Your account" signedIn>
      <Banner notice={props.notice} />
      <div class="card">
        <p>
          Signed in as <strong>{props.email}</strong> (assurance level {props.aal}).
        </p>
        <p>
          Two-factor authentication:{" "}
          <strong>{props.mfaEnabledAt ? `on since ${props.mfaEnabledAt.slice(0, 10)}` : "off"}</strong>
        </p>
        <a class="button" href="/account/security">
          Security settings
        </a>
      </div>
    </Layout>
  );
}

/** Groups a base32 secret in fours for typing it by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(" ") ?? secret;

function Setup(props: { pending: PendingEnrollmentView; digits: number }) {
  const minutes = Math.max(1, Math.ceil(props.pending.remaining / 60));
  return (
    <section class="card" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up your authenticator</h2>
      <p>
        Scan this code with an authenticator app (Google Authenticator, 1Password, Aegis…), then type the code it shows.
      </p>
      <img
        class="qr"
        id="totp-qr"
        src={props.pending.qr}
        alt="QR code for your authenticator app"
        width="256"
        height="256"
      />
      <p>Or enter this key by hand:</p>
      <p class="secret" id="totp-secret">
        {grouped(props.pending.secret)}
      </p>
      <button type="button" class="secondary" data-copy="totp-secret" hidden>
        Copy key
      </button>
      <form method="post" action="/account/security/confirm">
        <label for="token">Code from the app</label>
        <input
          id="token"
          name="token"
          class="code"
          type="text"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength={props.digits + 2}
          required
          data-autosubmit={String(props.digits)}
        />
        <button type="submit">Turn on two-factor</button>
      </form>
      <p class="muted">This setup expires in {minutes} minutes.</p>
    </section>
  );
}

export function RecoveryCodesPage(props: { codes: string[]; fresh: "enabled" | "regenerated" }) {
  return (
    <Layout title="Save your recovery codes" signedIn>
      <Banner
        notice={
          props.fresh === "enabled"
            ? "Two-factor authentication is on."
            : "New recovery codes made; the old ones no longer work."
        }
      />
      <div class="card">
        <p>
          Each code signs you in once if you lose your phone. They are shown <strong>only now</strong>: copy or download
          them and keep them somewhere safe.
        </p>
        <ol class="codes" id="recovery-codes">
          {props.codes.map((code) => (
            <li>{code}</li>
          ))}
        </ol>
        <div class="row">
          <button type="button" data-copy="recovery-codes" hidden>
            Copy codes
          </button>
          <button
            type="button"
            class="secondary"
            data-download="recovery-codes"
            data-filename="edge-mfa-recovery-codes.txt"
            hidden
          >
            Download .txt
          </button>
        </div>
        <a class="button secondary" href="/account">
          I saved them
        </a>
      </div>
    </Layout>
  );
}

export function SecurityPage(props: { model: SecurityModel; error?: string; notice?: string }) {
  const m = props.model;
  return (
    <Layout title="Security" signedIn>
      <Banner error={props.error} notice={props.notice} />
      <section class="card" aria-labelledby="mfa-title">
        <h2 id="mfa-title">Two-factor authentication</h2>
        {m.mfaEnabledAt ? (
          <p>
            <strong>On</strong> since {m.mfaEnabledAt.slice(0, 10)}. Recovery codes left: {m.recoveryCodesRemaining}.
          </p>
        ) : (
          <p>
            <strong>Off.</strong> Add an authenticator app so a stolen password is not enough.
          </p>
        )}
        {!m.pending && m.canManage ? (
          <form method="post" action="/account/security/setup">
            <button type="submit">{m.mfaEnabledAt ? "Replace authenticator" : "Set up authenticator"}</button>
          </form>
        ) : null}
      </section>
      {m.pending ? <Setup pending={m.pending} digits={m.digits} /> : null}
      {m.mfaEnabledAt ? (
        <>
          <section class="card" aria-labelledby="codes-title">
            <h2 id="codes-title">New recovery codes</h2>
            <form method="post" action="/account/security/recovery-codes">
              <label for="regen-otp">Current code from your app</label>
              <input
                id="regen-otp"
                name="otp"
                class="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                required
              />
              <button type="submit" class="secondary">
                Make new codes
              </button>
            </form>
          </section>
          <section class="card" aria-labelledby="off-title">
            <h2 id="off-title">Turn two-factor off</h2>
            <form method="post" action="/account/security/disable">
              {m.hasPassword ? (
                <>
                  <label for="sudo_password">Your password</label>
                  <input
                    id="sudo_password"
                    name="sudo_password"
                    type="password"
                    autocomplete="current-password"
                    required
                  />
                </>
              ) : (
                <>
                  <label for="off-otp">Current code from your app</label>
                  <input
                    id="off-otp"
                    name="otp"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    required
                  />
                </>
              )}
              <button type="submit" class="danger">
                Turn off
              </button>
            </form>
          </section>
        </>
      ) : null}
      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <table>
          <thead>
            <tr>
              <th>Signed in</th>
              <th>From</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {m.sessions.map((session) => (
              <tr>
                <td>
                  {session.created_at.slice(0, 16).replace("T", " ")} UTC · level {session.aal}
                </td>
                <td>
                  {session.ip ?? "?"}
                  <div class="muted">{(session.user_agent ?? "").slice(0, 60)}</div>
                </td>
                <td>
                  {session.current ? (
                    <span class="muted">this device</span>
                  ) : (
                    <form class="inline" method="post" action={`/account/security/sessions/${session.id}/revoke`}>
                      <button type="submit" class="secondary">
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}
