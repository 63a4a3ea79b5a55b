/**
 * Text cut to at most `maxBytes` UTF-8 bytes, on a character boundary, with `…` marking the cut
 * (counted in the bytes). Text that fits comes back unchanged. Pure.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Three bytes per UTF-16 unit at most: short text needs no encoding to know it fits.
  if (text.length * 3 <= maxBytes) return text;
  const encoder = new TextEncoder();
  const whole = utf8Length(text);
  if (whole <= maxBytes) return text;
  const room = Math.max(0, maxBytes - ELLIPSIS_BYTES);
  const buf = new Uint8Array(room);
  const { read } = encoder.encodeInto(text, buf);
  return `${text.slice(0, read)}${ELLIPSIS}`;
}

/** The UTF-8 length of `text` in bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

const ELLIPSIS = "…";
const ELLIPSIS_BYTES = 3;
