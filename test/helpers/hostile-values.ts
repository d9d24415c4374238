/**
 * fast-check arbitraries for hostile input: strings that break parsers and validators (SQL, HTML,
 * NUL, other scripts' digits, lone surrogates, over-long), malformed JSON text, broken UTF-8,
 * form bodies, garbage cookies and Authorization headers, absurd query strings.
 */
import fc from "fast-check";

const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE sessions; --",
  '" OR 1=1 --',
  "admin'--",
  "1; SELECT * FROM accounts",
  "%' UNION SELECT token_hash FROM sessions --",
  "' || (SELECT sqlite_version()) || '",
  "x'); DELETE FROM recovery_codes; --",
];
const HTML = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg/onload=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent literally
  "${7*7}",
  "<!--",
  "]]>",
];
/** Things that look like a 6-digit code to a person but are not ASCII digits, or not 6 of them. */
export const CODE_TRAPS = [
  "１２３４５６", // fullwidth
  "١٢٣٤٥٦", // Arabic-Indic
  "۱۲۳۴۵۶", // extended Arabic-Indic
  "१२३४५६", // Devanagari
  "¹²³⁴⁵⁶",
  "123\u200B456",
  "123\u0000456",
  "123456\u0000",
  "\u0000",
  "+123456",
  "-123456",
  "123456.0",
  "1e5",
  "0x1E240",
  "123456\n",
  "\t123456",
  "12345６",
  "12345",
  "1234567",
  "123456789",
  "",
];
const UNICODE = [
  "\u202Eevil",
  "\uFEFF",
  "\uD800",
  "\uDFFF",
  "İ",
  "ß",
  "e\u0301",
  "🔑🔑",
  "\u00A0",
  "ａｄａ@example.com",
];

/** Percent-encodes anything, lone surrogates included (as U+FFFD, which is what a client would send). */
const encode = (s: string) => encodeURIComponent(s.toWellFormed());

/** Digits of exactly 5, 7 or 9: the lengths a sloppy check accepts. */
export const wrongLengthCode = fc
  .constantFrom(5, 7, 9)
  .chain((n) => fc.array(fc.constantFrom(..."0123456789"), { minLength: n, maxLength: n }))
  .map((d) => d.join(""));

const withNul = fc.tuple(fc.string({ maxLength: 16 }), fc.string({ maxLength: 16 })).map(([a, b]) => `${a}\u0000${b}`);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL, ...HTML, ...CODE_TRAPS, ...UNICODE),
  wrongLengthCode,
  withNul,
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ unit: "grapheme", maxLength: 32 }),
  // Past every field's documented maximum (64 … 1024 characters).
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.integer({ min: 1025, max: 3000 }))
    .map(([s, n]) => s.repeat(Math.ceil(n / s.length))),
);

/** Any JSON value, with hostile strings and wrong types where a string is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileString, { maxKeys: 3 }),
);

/** An object with some of `fields` (hostile values) and some extra keys. */
export function hostileObject(fields: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const known = fc.record(Object.fromEntries(fields.map((f) => [f, hostileValue])), { requiredKeys: [] });
  const extra = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "constructor", "prototype", "admin", "aal")),
    hostileValue,
    { maxKeys: 3 },
  );
  return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
}

/** Raw JSON text where a field appears twice, e.g. `{"otp":"1","otp":"2"}`. */
export function duplicateKeyJson(fields: readonly string[]): fc.Arbitrary<string> {
  const names = fields.length > 0 ? fields : ["otp"];
  return fc
    .tuple(fc.constantFrom(...names), hostileValue, hostileValue, hostileObject(names))
    .map(([key, a, b, rest]) => {
      const inner = JSON.stringify(rest).slice(1, -1);
      const dup = `${JSON.stringify(key)}:${JSON.stringify(a) ?? "null"},${JSON.stringify(key)}:${JSON.stringify(b) ?? "null"}`;
      return `{${inner ? `${inner},` : ""}${dup}}`;
    });
}

const MALFORMED_JSON = [
  "",
  " ",
  "{",
  "}",
  "[",
  "{,}",
  '{"a":}',
  "{'otp':'123456'}",
  '{"otp":"123456",}',
  "/* c */{}",
  "NaN",
  '{"a":Infinity}',
  "1e999999",
  "\uFEFF{}",
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"aal":2}}}',
  '"\\ud800"',
  '{"otp":"\\u0000"}',
  "null",
  "true",
  "[]",
  "[".repeat(5000) + "]".repeat(5000),
  `{"a":${'{"a":'.repeat(3000)}1${"}".repeat(3000)}}`,
];

/** JSON text that is malformed, truncated, mutated, or valid but of the wrong shape. */
export const malformedJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...MALFORMED_JSON),
  fc.json().chain((s) => fc.nat(s.length).map((n) => s.slice(0, n))),
  fc
    .tuple(fc.json(), fc.nat(), fc.constantFrom("{", "}", '"', ",", ":", "\\", "\u0000", "\n"))
    .map(([s, at, ch]) => s.slice(0, at % (s.length + 1)) + ch + s.slice(at % (s.length + 1))),
  fc.string({ unit: "binary", maxLength: 64 }),
);

/** Invalid UTF-8: a lone continuation, 0xC3 0x28, 0xFF, an overlong slash, a CESU surrogate. */
const BROKEN_UTF8 = [[0xc3, 0x28], [0xff], [0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80]];

/** A JSON-ish body carrying invalid UTF-8 bytes inside a string, a key, or on their own. */
export function brokenUtf8Body(fields: readonly string[]): fc.Arbitrary<Uint8Array> {
  const field = fc.constantFrom(...(fields.length > 0 ? fields : ["email"]));
  return fc
    .tuple(field, fc.constantFrom(...BROKEN_UTF8), fc.constantFrom("value", "key", "bare"))
    .map(([name, bad, where]) => {
      const enc = new TextEncoder();
      const parts: (string | number[])[] =
        where === "value"
          ? [`{"${name}":"a`, bad, `b"}`]
          : where === "key"
            ? ['{"', bad, `":"x","${name}":"y"}`]
            : [bad, "{}"];
      const bytes = parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : p));
      return new Uint8Array(bytes);
    });
}

/** An application/x-www-form-urlencoded body, with raw (possibly broken) percent sequences. */
export function hostileFormBody(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...fields, "a[]", "__proto__"), fc.string({ maxLength: 8 }));
  const value = fc.oneof(
    hostileString.map(encode),
    fc.constantFrom("%", "%Z", "%ZZ", "%FF", "%C3%28", "%00", "+", "%E0%A4%A"),
  );
  return fc
    .array(
      fc.tuple(key, value).map(([k, v]) => `${encode(k)}=${v}`),
      { maxLength: 5 },
    )
    .map((pairs) => pairs.join("&"));
}

/** A multipart/form-data content type and body, often with a missing or mismatched boundary. */
export const hostileMultipart: fc.Arbitrary<{ type: string; body: string }> = fc
  .tuple(
    fc.constantFrom("", "; boundary=xyz", '; boundary="', "; boundary=", "; boundary=a;b"),
    fc.constantFrom("garbage", "--xyz\r\n", "--xyz--", '--xyz\r\nContent-Disposition: form-data; name="otp"\r\n\r\n12'),
    hostileString,
  )
  .map(([boundary, head, tail]) => ({ type: `multipart/form-data${boundary}`, body: head + tail }));

/** Media types the API does not accept for a body. */
export const unsupportedMediaType = fc.constantFrom(
  "text/plain",
  "text/plain; charset=utf-8",
  "application/xml",
  "text/xml",
  "text/html",
  "application/octet-stream",
  "application/json;",
  "application/jsonx",
  "application/javascript",
  "image/png",
  "*/*",
  "json",
  "application/x-www-form-urlencodedx",
);

/** Unicode as its UTF-8 bytes, one character per byte: what a server sees of a non-ASCII header. */
export const latin1 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));

/** Printable ASCII only: workerd warns once per request about any other header byte. */
export const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, "");

/** Non-ASCII header values, sent once each by an example test rather than hundreds of times. */
export const UNICODE_HEADERS: Record<string, string>[] = [
  { Authorization: `Bearer ${latin1("ключ-сессии-🔑-ключ-сессии")}` },
  { Authorization: latin1("Bearer \uFEFFtokentokentokentoken") },
  { Cookie: `__Host-session=${latin1("ключ-сессии-ключ-сессии")}` },
  { Cookie: `session=${latin1("🔑")}; mfa_challenge=${latin1("é")}` },
  { Origin: latin1("https://ｍｆａ.test") },
  { "CF-Connecting-IP": latin1("２００１:db8::1") },
];

export const garbageAuthorization = fc.oneof(
  fc.constantFrom(
    "Bearer",
    "Bearer ",
    "bearer abcdefghijklmnopqrstuvwxyz",
    "Basic YWRtaW46YWRtaW4=",
    "Basic ",
    "Digest username=admin",
    "Bearer null",
    "Bearer undefined",
    "Bearer ' OR '1'='1' OR 'a'='aaaaaaa",
    `Bearer ${"A".repeat(10 * 1024)}`,
  ),
  fc.stringMatching(/^Bearer [A-Za-z0-9_-]{16,128}$/),
  fc.string({ unit: "binary-ascii", maxLength: 200 }).map((s) => s.replace(/[\r\n\0]/g, "")),
);

const cookieName = fc.constantFrom(
  "session",
  "__Host-session",
  "__Secure-mfa_challenge",
  "mfa_challenge",
  "__Host-session ",
  "SESSION",
);
const cookieValue = fc.oneof(
  fc.constantFrom("", "=", ";", '"', "deleted", "null", "%00", "a".repeat(4096)),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/),
  fc.string({ unit: "binary-ascii", maxLength: 100 }).map((s) => s.replace(/[\r\n\0;]/g, "")),
);

export const garbageCookie = fc
  .array(
    fc.tuple(cookieName, cookieValue).map(([n, v]) => `${n}=${v}`),
    { minLength: 1, maxLength: 4 },
  )
  .map((pairs) => pairs.join("; "));

/** Query strings no client should send: repeated keys, 8 KB values, broken escapes, prototype keys. */
export const absurdQuery = fc.oneof(
  fc.constantFrom(
    "?",
    "?&&&",
    "?token",
    "?token=",
    "?token=a&token=b",
    "?token[]=a",
    "?token=%",
    "?token=%ZZ",
    "?token=%E0%A4%A",
    "?token=%00",
    "?__proto__[admin]=1",
    "?constructor[prototype][aal]=2",
    `?token=${"A".repeat(8192)}`,
    `?${"a=1&".repeat(2000)}`,
    "?token=' OR 1=1 --",
    "?token=<script>",
  ),
  fc
    .array(fc.tuple(fc.string({ maxLength: 10 }), hostileString), { maxLength: 4 })
    .map((pairs) => `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")}`),
);

/** Path-parameter values: hostile strings percent-encoded, plus raw sequences that survive in a URL. */
export const hostilePathSegment = fc.oneof(
  // Never empty: `/auth//mfa` is no route at all.
  hostileString.filter((s) => s.length > 0).map(encode),
  fc.constantFrom("%ZZ", "%", "%00", "..", "%2e%2e", "%2F", "a;b", "%E0%A4%A", "password%00", "%20password"),
);
