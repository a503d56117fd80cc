import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImage, sniffImageType } from "./imageFile";

const chelsea = fileURLToPath(new URL("../../../../shared/testdata/images/chelsea.png", import.meta.url));
const eagle = fileURLToPath(new URL("../../../../shared/testdata/images/eagle.jpg", import.meta.url));
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("sniffImageType", () => {
  it("recognises real PNG and JPEG files by their bytes", () => {
    expect(sniffImageType(readFileSync(chelsea))).toBe("image/png");
    expect(sniffImageType(readFileSync(eagle))).toBe("image/jpeg");
  });

  it("recognises GIF, WebP and BMP signatures", () => {
    expect(sniffImageType(text("GIF89a..."))).toBe("image/gif");
    expect(sniffImageType(text("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
    expect(sniffImageType(new Uint8Array([...text("BM"), ...new Uint8Array(20)]))).toBe("image/bmp");
  });

  it("rejects text, truncated signatures and RIFF files that are not WebP", () => {
    expect(sniffImageType(text("hello, this is not an image"))).toBeUndefined();
    expect(sniffImageType(bytes(0x89, 0x50, 0x4e))).toBeUndefined();
    expect(sniffImageType(text("RIFF\0\0\0\0WAVEfmt "))).toBeUndefined();
  });
});

describe("checkImage", () => {
  it("accepts an image under the limit", () => {
    expect(checkImage(readFileSync(chelsea))).toEqual({ ok: true, mimeType: "image/png" });
  });

  it("explains what is wrong with a text file, an empty file and an oversized image", () => {
    expect(checkImage(text("notes"))).toMatchObject({ ok: false, message: expect.stringContaining("not an image") });
    expect(checkImage(new Uint8Array())).toMatchObject({ ok: false, message: expect.stringContaining("empty") });
    const png = readFileSync(chelsea);
    expect(checkImage(png, png.length - 1)).toMatchObject({ ok: false, message: expect.stringContaining("too large") });
  });
});
