import { applyPalette, GIFEncoder, quantize } from "gifenc";

/**
 * Encodes the frames (lowest index first) as an animated GIF that plays the slider from 0 to
 * 100 % and holds the last frame; done locally from the decoded frames.
 */
export function encodeSliderGif(frames: readonly ImageBitmap[], maxSide = 320, delayMs = 120): Blob {
  const first = frames[0];
  if (first === undefined) throw new Error("no frames to encode");
  const scale = Math.min(1, maxSide / Math.max(first.width, first.height));
  const width = Math.max(1, Math.round(first.width * scale));
  const height = Math.max(1, Math.round(first.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (context === null) throw new Error("no 2D canvas");
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    context.drawImage(frame, 0, 0, width, height);
    const rgba = context.getImageData(0, 0, width, height).data;
    const palette = quantize(rgba, 256);
    const delay = i === frames.length - 1 ? delayMs * 10 : delayMs;
    gif.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay });
  });
  gif.finish();
  return new Blob([gif.bytes().slice()], { type: "image/gif" });
}
