/**
 * Holds the slider frames of one job as they stream in. Frames arrive coarse to fine, in any
 * index order, and a reconnecting stream replays ones already held; the slider may only show
 * frames that have arrived, so every position snaps to the nearest one that has.
 */
export interface SliderFrame {
  /** Position on the slider, 0..total-1. */
  readonly index: number;
  /** Fraction of pixels revealed, 0..100. */
  readonly percent: number;
}

/** The fewest frames that make the slider worth moving. */
export const MIN_USABLE_FRAMES = 2;

/** Slider position of frame `index` of `total` when frames are evenly spaced. */
export function expectedPercent(index: number, total: number): number {
  return total <= 1 ? 0 : (index * 100) / (total - 1);
}

export class FrameStore<F extends SliderFrame> {
  readonly total: number;
  readonly #frames: (F | undefined)[];
  #arrived = 0;

  constructor(total: number) {
    if (!Number.isInteger(total) || total < MIN_USABLE_FRAMES) {
      throw new RangeError(`a job has at least ${MIN_USABLE_FRAMES} frames, not ${total}`);
    }
    this.total = total;
    this.#frames = new Array<F | undefined>(total).fill(undefined);
  }

  get arrived(): number {
    return this.#arrived;
  }

  get isUsable(): boolean {
    return this.#arrived >= MIN_USABLE_FRAMES;
  }

  get isComplete(): boolean {
    return this.#arrived === this.total;
  }

  /** Stores a frame; false when its index is out of range or already held (a replay). */
  add(frame: F): boolean {
    const { index } = frame;
    if (!Number.isInteger(index) || index < 0 || index >= this.total) return false;
    if (this.#frames[index] !== undefined) return false;
    this.#frames[index] = frame;
    this.#arrived++;
    return true;
  }

  at(index: number): F | undefined {
    return this.#frames[index];
  }

  /** The frames held so far, lowest index first. */
  inIndexOrder(): F[] {
    return this.#frames.filter((frame): frame is F => frame !== undefined);
  }

  /**
   * The held frame whose percent is closest to `percent` (clamped to 0..100); on a tie the less
   * revealed one. Undefined while no frame has arrived.
   */
  nearestAvailable(percent: number): F | undefined {
    const target = Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
    let best: F | undefined;
    let bestDistance = Infinity;
    for (const frame of this.#frames) {
      if (frame === undefined) continue;
      const distance = Math.abs(frame.percent - target);
      if (distance < bestDistance) {
        best = frame;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * The next held frame after `fromIndex` in `direction` (+1 more revealed, -1 less), or the
   * frame at `fromIndex` itself when none is held beyond it; used for keyboard steps.
   */
  step(fromIndex: number, direction: 1 | -1): F | undefined {
    for (let index = fromIndex + direction; index >= 0 && index < this.total; index += direction) {
      const frame = this.#frames[index];
      if (frame !== undefined) return frame;
    }
    return this.#frames[fromIndex];
  }

  first(): F | undefined {
    return this.#frames.find((frame) => frame !== undefined);
  }

  last(): F | undefined {
    return this.#frames.findLast((frame) => frame !== undefined);
  }
}
