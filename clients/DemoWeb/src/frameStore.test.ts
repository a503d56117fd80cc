import { describe, expect, it } from "vitest";
import { expectedPercent, FrameStore, type SliderFrame } from "./frameStore";

const frame = (index: number, total = 5): SliderFrame => ({ index, percent: expectedPercent(index, total) });

describe("FrameStore", () => {
  it("accepts frames in any order and lists them by index", () => {
    const store = new FrameStore<SliderFrame>(5);
    for (const index of [4, 0, 2]) expect(store.add(frame(index))).toBe(true);
    expect(store.inIndexOrder().map((f) => f.index)).toEqual([0, 2, 4]);
    expect(store.arrived).toBe(3);
    expect(store.isComplete).toBe(false);
  });

  it("ignores a replayed frame and indices out of range", () => {
    const store = new FrameStore<SliderFrame>(5);
    expect(store.add(frame(2))).toBe(true);
    expect(store.add({ index: 2, percent: 99 })).toBe(false);
    expect(store.add(frame(5))).toBe(false);
    expect(store.add({ index: -1, percent: 0 })).toBe(false);
    expect(store.add({ index: 1.5, percent: 37.5 })).toBe(false);
    expect(store.arrived).toBe(1);
    expect(store.at(2)?.percent).toBe(50);
  });

  it("is usable from the second frame and complete at the last", () => {
    const store = new FrameStore<SliderFrame>(3);
    expect(store.isUsable).toBe(false);
    store.add(frame(2, 3));
    expect(store.isUsable).toBe(false);
    store.add(frame(0, 3));
    expect(store.isUsable).toBe(true);
    expect(store.isComplete).toBe(false);
    store.add(frame(1, 3));
    expect(store.isComplete).toBe(true);
  });

  it("rejects fewer than two frames", () => {
    expect(() => new FrameStore(1)).toThrow(RangeError);
    expect(() => new FrameStore(2.5)).toThrow(RangeError);
  });

  it("snaps to the nearest frame that has arrived", () => {
    const store = new FrameStore<SliderFrame>(5); // 0, 25, 50, 75, 100
    expect(store.nearestAvailable(40)).toBeUndefined();
    store.add(frame(0));
    store.add(frame(4));
    expect(store.nearestAvailable(40)?.index).toBe(0);
    expect(store.nearestAvailable(60)?.index).toBe(4);
    store.add(frame(2));
    expect(store.nearestAvailable(40)?.index).toBe(2);
    expect(store.nearestAvailable(74)?.index).toBe(2);
    expect(store.nearestAvailable(76)?.index).toBe(4);
  });

  it("breaks a tie toward the less revealed frame and clamps the position", () => {
    const store = new FrameStore<SliderFrame>(5);
    store.add(frame(0));
    store.add(frame(2));
    expect(store.nearestAvailable(25)?.index).toBe(0);
    expect(store.nearestAvailable(-30)?.index).toBe(0);
    expect(store.nearestAvailable(250)?.index).toBe(2);
    expect(store.nearestAvailable(Number.NaN)?.index).toBe(0);
  });

  it("uses the percent a frame carries, not its index", () => {
    const store = new FrameStore<SliderFrame>(3);
    store.add({ index: 0, percent: 0 });
    store.add({ index: 1, percent: 10 });
    store.add({ index: 2, percent: 100 });
    expect(store.nearestAvailable(40)?.index).toBe(1);
    expect(store.nearestAvailable(60)?.index).toBe(2);
  });

  it("steps to the next held frame in either direction", () => {
    const store = new FrameStore<SliderFrame>(5);
    for (const index of [0, 3, 4]) store.add(frame(index));
    expect(store.step(0, 1)?.index).toBe(3);
    expect(store.step(3, -1)?.index).toBe(0);
    expect(store.step(4, 1)?.index).toBe(4);
    expect(store.step(0, -1)?.index).toBe(0);
    expect(store.first()?.index).toBe(0);
    expect(store.last()?.index).toBe(4);
  });
});

describe("expectedPercent", () => {
  it("spaces frames evenly from 0 to 100", () => {
    expect([0, 1, 2, 3, 4].map((i) => expectedPercent(i, 5))).toEqual([0, 25, 50, 75, 100]);
    expect(expectedPercent(20, 21)).toBe(100);
  });
});
