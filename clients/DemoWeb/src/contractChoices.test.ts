import { describe, expect, it } from "vitest";
import { BaselineSchema, CamMethod, CamMethodSchema } from "./gen/saliency/v1/saliency_pb";
import { BASELINES, CAM_METHODS, frameCountOf } from "./contractChoices";

describe("contract choices", () => {
  it("offer every method the contract names, each with a label and a distinct result name", () => {
    expect(CAM_METHODS.map((m) => m.value)).toEqual(CamMethodSchema.values.map((v) => v.number).filter((n) => n !== CamMethod.UNSPECIFIED));
    expect(CAM_METHODS.every((m) => m.label.length > 0 && m.name.length > 0)).toBe(true);
    expect(new Set(CAM_METHODS.map((m) => m.name)).size).toBe(CAM_METHODS.length);
    expect(CAM_METHODS[0]?.value).toBe(CamMethod.GRAD_CAM);
  });

  it("offer every baseline the contract names", () => {
    expect(BASELINES.map((b) => b.value)).toEqual(BaselineSchema.values.map((v) => v.number).slice(1));
    expect(BASELINES.every((b) => b.label.length > 0)).toBe(true);
  });
});

describe("frameCountOf", () => {
  const input = (value: string) => ({ value, min: "2", max: "101", defaultValue: "21" });

  it("keeps the count within the input's bounds", () => {
    expect(frameCountOf(input("30"))).toBe(30);
    expect(frameCountOf(input("500"))).toBe(101);
    expect(frameCountOf(input("1"))).toBe(2);
    expect(frameCountOf(input("7.6"))).toBe(8);
  });

  it("falls back to the input's default for no number", () => {
    expect(frameCountOf(input("abc"))).toBe(21);
  });
});
