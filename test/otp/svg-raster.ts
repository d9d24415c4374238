/**
 * @module test/otp/svg-raster
 * A deliberately small SVG rasteriser for the QR test: it understands the rect and path elements
 * a QR code needs, paints them in document order onto an RGBA buffer and throws on anything else,
 * so a change in the SVG's shape fails the test loudly instead of decoding by luck.
 */

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const COLOURS: Record<string, number> = { "#fff": 255, "#ffffff": 255, white: 255, "#000": 0, "#000000": 0, black: 0 };

export function viewBoxSize(svg: string): { width: number; height: number } {
  const match = /<svg\b[^>]*\bviewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!match) throw new Error("svg has no viewBox starting at 0 0");
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * Paints the SVG at `scale` pixels per user unit onto a canvas that starts out `canvas` grey level
 * (0 = black, like a dark-mode page behind a transparent image).
 */
export function rasterise(svg: string, scale: number, canvas = 0): RgbaImage {
  const { width, height } = viewBoxSize(svg);
  const image = {
    width: width * scale,
    height: height * scale,
    data: new Uint8ClampedArray(width * height * scale ** 2 * 4),
  };
  paint(image, { x0: 0, y0: 0, x1: width, y1: height }, canvas, scale);
  for (const [, tag, attrs = ""] of svg.matchAll(/<(rect|path)\b([^>]*)\/?>/g)) {
    const fill = colour(attribute(attrs, "fill") ?? "black");
    const boxes = tag === "rect" ? [rectBox(attrs)] : pathBoxes(attribute(attrs, "d") ?? "");
    for (const box of boxes) paint(image, box, fill, scale);
  }
  return image;
}

/** The dark boxes of the SVG's path, in module units. */
export function pathBoxes(d: string): Box[] {
  if (d.replace(/[MmHhVvZz]|-?\d+(\.\d+)?|[\s,]/g, "") !== "")
    throw new Error("path uses commands this rasteriser does not know");
  const tokens = d.match(/[MmHhVvZz]|-?\d+(?:\.\d+)?/g) ?? [];
  const boxes: Box[] = [];
  let x = 0;
  let y = 0;
  let points: Array<[number, number]> = [];
  let i = 0;
  const num = () => {
    const value = Number(tokens[i++]);
    if (!Number.isFinite(value)) throw new Error("path command is missing a number");
    return value;
  };
  while (i < tokens.length) {
    const command = tokens[i++];
    if (command === "M" || command === "m") {
      const [dx, dy] = [num(), num()];
      [x, y] = command === "M" ? [dx, dy] : [x + dx, y + dy];
      points = [[x, y]];
    } else if (command === "H" || command === "h") {
      const value = num();
      x = command === "H" ? value : x + value;
      points.push([x, y]);
    } else if (command === "V" || command === "v") {
      const value = num();
      y = command === "V" ? value : y + value;
      points.push([x, y]);
    } else if (command === "Z" || command === "z") {
      boxes.push(rectangleOf(points));
      [x, y] = points[0] ?? [x, y];
    } else {
      throw new Error(`unexpected path token ${command}`);
    }
  }
  return boxes;
}

function rectangleOf(points: Array<[number, number]>): Box {
  const xs = [...new Set(points.map((p) => p[0]))];
  const ys = [...new Set(points.map((p) => p[1]))];
  if (xs.length !== 2 || ys.length !== 2 || points.length < 4)
    throw new Error("subpath is not an axis-aligned rectangle");
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function rectBox(attrs: string): Box {
  const n = (name: string, fallback?: number) => {
    const raw = attribute(attrs, name);
    if (raw === undefined && fallback !== undefined) return fallback;
    if (raw === undefined || !/^\d+(\.\d+)?$/.test(raw)) throw new Error(`rect ${name} is not a plain number`);
    return Number(raw);
  };
  const x0 = n("x", 0);
  const y0 = n("y", 0);
  return { x0, y0, x1: x0 + n("width"), y1: y0 + n("height") };
}

function attribute(attrs: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(attrs)?.[1];
}

function colour(fill: string): number {
  const level = COLOURS[fill];
  if (level === undefined) throw new Error(`fill ${fill} is not black or white`);
  return level;
}

function paint(image: RgbaImage, box: Box, level: number, scale: number): void {
  for (let py = box.y0 * scale; py < box.y1 * scale; py++) {
    for (let px = box.x0 * scale; px < box.x1 * scale; px++) {
      const at = (py * image.width + px) * 4;
      image.data.set([level, level, level, 255], at);
    }
  }
}
