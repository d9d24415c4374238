/**
 * @module pages/public
 * Pages for people who are not signed in yet: home, sign-up, sign-in (password or link), the
 * "check your inbox" page and the second-factor page. Their forms post to the /auth API.
 */
import { Banner, Layout } from "./layout";

export function HomePage(props: { signedIn: boolean }) {
  return (
    <Layout title="Two-factor sign-in at the edge" signedIn={props.signedIn}>
      <p class="lead">
        edge-mfa signs you in with a password or an email link, then asks for a six-digit code from an authenticator app
        (TOTP, RFC 6238). Codes are accepted once, secrets are encrypted at rest, and guessing is stopped per account,
        per sign-in and per network.
      </p>
      {props.signedIn ? (
        <a class="button" href="/account">
          Go to your account
        </a>
      ) : (
        <div class="row">
          <a class="button" href="/signup">
            Create an account
          </a>
          <a class="button secondary" href="/login">
            Sign in
          </a>
        </div>
      )}
    </Layout>
  );
}

export function SignUpPage(props: { error?: string }) {
  return (
    <Layout title="Create an account">
      <Banner error={props.error} />
      <form method="post" action="/auth/signup" class="card">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required autofocus={!props.error} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" minlength={8} required />
        <p class="muted">At least 8 characters. Long passphrases are best.</p>
        <button type="submit">Create account</button>
      </form>
      <p>
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </Layout>
  );
}

export function LoginPage(props: { error?: string }) {
  return (
    <Layout title="Sign in">
      <Banner error={props.error} />
      <form method="post" action="/auth/password" class="card">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required autofocus={!props.error} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <h2>Or get a sign-in link by email</h2>
      <form method="post" action="/auth/link" class="card">
        <label for="link-email">Email</label>
        <input id="link-email" name="email" type="email" autocomplete="email" required />
        <button type="submit" class="secondary">
          Email me a link
        </button>
      </form>
      <p>
        New here? <a href="/signup">Create an account</a>
      </p>
    </Layout>
  );
}

export function LinkSentPage(props: { development: boolean }) {
  return (
    <Layout title="Check your inbox">
      <p class="lead">
        If an account exists for that address, a sign-in link is on its way. It works once, for 15 minutes.
      </p>
      {props.development ? (
        <p class="notice">
          Development mode: mail is not sent. Open the <a href="/dev/outbox">outbox</a> to follow the link.
        </p>
      ) : null}
    </Layout>
  );
}

export function MfaPage(props: { strategy: string; mode: "otp" | "recovery"; digits: number; error?: string }) {
  const action = `/auth/${encodeURIComponent(props.strategy)}/mfa`;
  const base = `/login/mfa?strategy=${encodeURIComponent(props.strategy)}`;
  return (
    <Layout title="Two-factor authentication">
      <Banner error={props.error} />
      {props.mode === "otp" ? (
        <form method="post" action={action} class="card">
          <label for="otp">Code from your authenticator app</label>
          <input
            id="otp"
            name="otp"
            class="code"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            // Browsers compile `pattern` with the `v` flag, where a literal "-" in a class must be escaped.
            pattern={`[0-9 \\-]{${props.digits},${props.digits + 2}}`}
            maxlength={props.digits + 2}
            required
            autofocus={!props.error}
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={props.error ? "form-error" : undefined}
            data-autosubmit={String(props.digits)}
          />
          <button type="submit">Verify</button>
        </form>
      ) : (
        <form method="post" action={action} class="card">
          <label for="recovery_code">Recovery code</label>
          <input
            id="recovery_code"
            name="recovery_code"
            type="text"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            required
            autofocus={!props.error}
            placeholder="XXXX-XXXX-XXXX-XXXX"
          />
          <button type="submit">Use recovery code</button>
        </form>
      )}
      <p>
        {props.mode === "otp" ? (
          <a href={`${base}&mode=recovery`}>Use a recovery code instead</a>
        ) : (
          <a href={base}>Use your authenticator app instead</a>
        )}
      </p>
      <p class="muted">
        Lost access? <a href="/login">Start over</a>
      </p>
    </Layout>
  );
}
