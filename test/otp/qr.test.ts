import decodeQR from "qr/decode.js";
import { describe, expect, it } from "vitest";
import { qrSvgDataUrl } from "../../src/otp/qr";
import { buildOtpauthUri } from "../../src/otp/uri";
import { RFC_SEEDS } from "./reference-hotp";
import { pathBoxes, rasterise, viewBoxSize } from "./svg-raster";

const PREFIX = "data:image/svg+xml;base64,";
const PIXELS_PER_MODULE = 6;

const svgOf = (dataUrl: string) => {
  if (!dataUrl.startsWith(PREFIX)) throw new Error("not a base64 SVG data URL");
  return atob(dataUrl.slice(PREFIX.length));
};

const uri = (issuer: string, account: string, secret: Uint8Array = RFC_SEEDS.SHA1) =>
  buildOtpauthUri({ issuer, account, secret, algorithm: "SHA1", digits: 6, periodSeconds: 30 });

const URIS = [
  { label: "a plain account", text: uri("edge-mfa", "alice@example.com") },
  { label: "a unicode issuer and account", text: uri("Ümlaut Bank", "名前@例え.jp") },
  {
    label: "a 64-byte secret and a long account",
    text: uri("edge-mfa", `${"long.name".repeat(12)}@example.com`, RFC_SEEDS.SHA512),
  },
];

describe("qrSvgDataUrl", () => {
  it("returns a base64 SVG data URL", () => {
    expect(qrSvgDataUrl("hello")).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/]+=*$/);
  });

  it.each(URIS)("decodes back to exactly the URI for $label", ({ text }) => {
    const image = rasterise(svgOf(qrSvgDataUrl(text)), PIXELS_PER_MODULE);
    expect(decodeQR(image)).toBe(text);
  });

  it("paints its own white background, so it scans on a dark page", () => {
    const svg = svgOf(qrSvgDataUrl(URIS[0]!.text));
    const withoutBackground = svg.replace(/<rect\b[^>]*\/>/, "");
    expect(decodeQR(rasterise(svg, PIXELS_PER_MODULE, 0))).toBe(URIS[0]!.text);
    expect(() => decodeQR(rasterise(withoutBackground, PIXELS_PER_MODULE, 0))).toThrow();
  });

  it("keeps a quiet zone of four modules on every side", () => {
    const svg = svgOf(qrSvgDataUrl(URIS[0]!.text));
    const { width } = viewBoxSize(svg);
    const d = /<path\b[^>]*\sd="([^"]*)"/.exec(svg)?.[1] ?? "";
    const boxes = pathBoxes(d);
    expect(Math.min(...boxes.map((b) => b.x0))).toBe(4);
    expect(Math.min(...boxes.map((b) => b.y0))).toBe(4);
    expect(Math.max(...boxes.map((b) => b.x1))).toBe(width - 4);
    expect(Math.max(...boxes.map((b) => b.y1))).toBe(width - 4);
  });

  it("declares a square viewBox in module units and crisp edges", () => {
    const svg = svgOf(qrSvgDataUrl(URIS[0]!.text));
    const { width, height } = viewBoxSize(svg);
    expect(width).toBe(height);
    expect((width - 8 - 17) % 4).toBe(0); // 17 + 4·version modules plus the quiet zone
    expect(svg).toMatch(/<svg\b[^>]*\sshape-rendering="crispEdges"/);
  });

  it("draws dark modules in black", () => {
    const svg = svgOf(qrSvgDataUrl("hello"));
    expect(svg).toMatch(/<path\b[^>]*\sfill="#000"/);
  });
});
