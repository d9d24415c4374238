/**
 * Set-Cookie parsing and a minimal cookie jar, so tests can act like a browser (Novel's client)
 * and assert cookie flags exactly.
 */

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags (HttpOnly, Secure) map to true. */
  attributes: Map<string, string | true>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...attrs] = header.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const attributes = new Map<string, string | true>();
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    if (i === -1) attributes.set(attr.toLowerCase(), true);
    else attributes.set(attr.slice(0, i).toLowerCase(), attr.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

export function setCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map(parseSetCookie);
}

/** The Set-Cookie for `name`, or undefined. */
export function setCookie(res: Response, name: string): SetCookie | undefined {
  return setCookies(res).find((c) => c.name === name);
}

/** True when the Set-Cookie deletes the cookie (empty value or Max-Age=0). */
export const isDeletion = (c: SetCookie): boolean => c.value === "" || c.attributes.get("max-age") === "0";

export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const c of setCookies(res)) {
      if (isDeletion(c)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, { value: c.value, path: String(c.attributes.get("path") ?? "/") });
    }
  }

  set(name: string, value: string, path = "/"): void {
    this.cookies.set(name, { value, path });
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  /** The Cookie header a browser would send to `path`. */
  header(path: string): string | undefined {
    const pathname = new URL(path, "https://x").pathname;
    const sent = [...this.cookies]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    return sent.length ? sent.join("; ") : undefined;
  }
}
