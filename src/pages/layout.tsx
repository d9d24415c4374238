/**
 * @module pages/layout
 * The page frame: one stylesheet, one deferred script, a readable width on phones, and the
 * error banner that takes focus so screen readers and keyboards land on it.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";

export function Layout(props: { title: string; signedIn?: boolean; children?: Child }) {
  // Without the doctype browsers render in quirks mode (stray form margins, odd table sizing).
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · edge-mfa`}</title>
          {/* No favicon: an empty one stops the browser asking for /favicon.ico and logging a 404. */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/app.js" defer />
        </head>
        <body>
          <header class="site">
            <a href="/">edge-mfa</a>
            {props.signedIn ? (
              <form class="inline" method="post" action="/auth/logout">
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            ) : (
              <a href="/login">Sign in</a>
            )}
          </header>
          <main>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** An error or notice banner; an error takes focus (autofocus on a focusable region). */
export function Banner(props: { error?: string; notice?: string }) {
  if (props.error) {
    return (
      <div class="error" role="alert" id="form-error" tabindex={-1} autofocus>
        {props.error}
      </div>
    );
  }
  if (props.notice) {
    return (
      <div class="notice" role="status">
        {props.notice}
      </div>
    );
  }
  return null;
}
