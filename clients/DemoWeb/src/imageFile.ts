/** Checks a picked, dropped or pasted file before it is uploaded, for a clear message early. */

/** The gateway's default upload limit (Jobs:MaxImageBytes); the server has the last word. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export type ImageCheck =
  | { readonly ok: true; readonly mimeType: string }
  | { readonly ok: false; readonly message: string };

const SIGNATURES: ReadonlyArray<{ mimeType: string; matches: (b: Uint8Array) => boolean }> = [
  { mimeType: "image/jpeg", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { mimeType: "image/png", matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mimeType: "image/gif", matches: (b) => startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a")) },
  { mimeType: "image/webp", matches: (b) => startsWith(b, ascii("RIFF")) && startsWith(b.subarray(8), ascii("WEBP")) },
  { mimeType: "image/bmp", matches: (b) => startsWith(b, ascii("BM")) && b.length > 14 },
];

/** The image type the bytes start with (JPEG, PNG, GIF, WebP or BMP), whatever the file is called. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return SIGNATURES.find((s) => s.matches(bytes))?.mimeType;
}

export function checkImage(bytes: Uint8Array, maxBytes: number = MAX_IMAGE_BYTES): ImageCheck {
  if (bytes.length === 0) return { ok: false, message: "That file is empty." };
  const mimeType = sniffImageType(bytes);
  if (mimeType === undefined) {
    return { ok: false, message: "That file is not an image. Use a JPEG, PNG, WebP, GIF or BMP file." };
  }
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      message: `That image is too large (${formatMegabytes(bytes.length)}; the limit is ${formatMegabytes(maxBytes)}).`,
    };
  }
  return { ok: true, mimeType };
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}
