/**
 * @module pages/assets
 * The one stylesheet and the one small script, served by the Worker itself so the CSP can stay
 * `'self'` with no inline code and no third-party hosts.
 */

export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fbfbfd; --muted: #5b6470; --accent: #2553c7; --err: #b3261e; --ok: #1e7b34; --card: #ffffff; --line: #d7dbe2; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --bg: #14161a; --muted: #a3acb8; --accent: #8ab4ff; --err: #ff8a80; --ok: #7ddc8f; --card: #1d2026; --line: #343a44; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 34rem; margin: 0 auto; padding: 0.5rem 1rem 3rem; }
header.site { display: flex; justify-content: space-between; align-items: center; max-width: 34rem; margin: 0 auto; padding: 1rem; }
header.site a { color: var(--fg); text-decoration: none; font-weight: 600; }
header.site form.inline { display: flex; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
.card > h2:first-child { margin-top: 0.25rem; }
p.lead { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 1rem 1.25rem; margin: 1rem 0; overflow-wrap: break-word; }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
input[type=email], input[type=password], input[type=text] { width: 100%; font: inherit; padding: 0.6rem 0.7rem; border: 1px solid var(--line); border-radius: 8px; background: var(--bg); color: var(--fg); }
input.code { font-size: 1.6rem; letter-spacing: 0.3em; text-align: center; font-variant-numeric: tabular-nums; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: 0.6rem 1rem; margin-top: 1rem; border-radius: 8px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--err); border-color: var(--err); }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
a { color: var(--accent); }
.error { border: 1px solid var(--err); color: var(--err); border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0.5rem 0 1rem; }
/* The banner takes focus only so screen readers start there; it is not a control to outline. */
.error:focus { outline: none; }
.notice { border: 1px solid var(--ok); color: var(--ok); border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0.5rem 0 1rem; }
.qr { display: block; width: 100%; max-width: 16rem; margin: 0.5rem auto; background: #fff; padding: 0.5rem; border-radius: 8px; image-rendering: pixelated; }
.secret, .codes { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 1.05rem; }
.secret { word-spacing: 0.4em; overflow-wrap: anywhere; }
/* Two columns where a code fits twice, one on phones; a code never breaks across lines. */
.codes { columns: 13rem; column-gap: 2rem; padding-left: 2rem; margin: 1rem 0; }
.codes li { white-space: nowrap; break-inside: avoid; }
.row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
.muted { color: var(--muted); font-size: 0.9rem; }
table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
td, th { text-align: left; padding: 0.35rem 0.25rem; border-bottom: 1px solid var(--line); vertical-align: top; }
form.inline { display: inline; }
form.inline button { margin-top: 0; padding: 0.25rem 0.6rem; }
`;

export const SCRIPT = `
(function () {
  // Submit the code form by itself once the last digit is typed.
  document.querySelectorAll("input[data-autosubmit]").forEach(function (input) {
    var digits = Number(input.getAttribute("data-autosubmit"));
    input.addEventListener("input", function () {
      var value = input.value.replace(/[\\s-]/g, "");
      if (/^[0-9]+$/.test(value) && value.length === digits && input.form) input.form.requestSubmit();
    });
  });
  // Copy buttons: copy the text of the element named by data-copy.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) return;
      navigator.clipboard.writeText(source.innerText.trim()).then(function () { button.textContent = "Copied"; });
    });
  });
  // Download the recovery codes as a text file, built in the page (they are never sent again).
  document.querySelectorAll("button[data-download]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-download"));
      if (!source) return;
      var blob = new Blob([source.innerText.trim() + "\\n"], { type: "text/plain" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = button.getAttribute("data-filename") || "recovery-codes.txt";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });
})();
`;
