/**
 * @module otp/qr
 * The enrollment QR code (ISO/IEC 18004) as a self-contained SVG data URL, so the page needs no
 * external image and no client-side script.
 */
import encodeQR from "qr";

/** ISO/IEC 18004:2024 §5.3.8: a quiet zone of 4 modules around the symbol. */
const QUIET_ZONE_MODULES = 4;

/**
 * Encodes `text` (the otpauth URI) at error-correction level M and draws it as one path of
 * horizontal runs of dark modules on a white square. The viewBox is in module units so the image
 * scales to any size; crispEdges stops anti-aliasing from blurring module borders.
 */
export function qrSvgDataUrl(text: string): string {
  // The raw matrix (quiet zone included) rather than the package's SVG: one rect per dark module
  // and no background, where runs make the document several times smaller and scanners need white.
  const modules = encodeQR(text, "raw", { ecc: "medium", border: QUIET_ZONE_MODULES });
  const size = modules.length;
  let path = "";
  modules.forEach((row, y) => {
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      const start = x;
      while (x + 1 < size && row[x + 1]) x++;
      const run = x - start + 1;
      path += `M${start} ${y}h${run}v1h-${run}z`;
    }
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
  // The document is ASCII only (the text lives in the modules, not in the markup), so btoa is safe.
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}
