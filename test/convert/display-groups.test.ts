import { describe, expect, it } from "vitest";
import { displayGroupIdsFromIb, displayGroupIdsToIb, isDisplayGroupContractInfo } from "../../src/convert/index.js";

describe("display group list", () => {
  it.each([
    ["1|2|3|4|5|6|7", [1, 2, 3, 4, 5, 6, 7]],
    ["4", [4]],
    ["", []],
    [" 1 | 2 |", [1, 2]],
  ])("%j -> %j", (ib, ids) => {
    expect(displayGroupIdsFromIb(ib)).toEqual(ids);
  });

  it("round-trips IB's list (IB -> proto -> IB)", () => {
    for (const list of ["1|2|3|4|5|6|7", "2|5", ""])
      expect(displayGroupIdsToIb(displayGroupIdsFromIb(list))).toBe(list);
  });

  it("reads IB's absent list as no groups", () => {
    expect(displayGroupIdsFromIb(undefined)).toEqual([]);
    expect(displayGroupIdsFromIb(null)).toEqual([]);
  });
});

describe("display group contract info", () => {
  it.each(["265598@SMART", "8314@ISLAND", "12087792@IDEALPRO", "none", "combo"])("accepts %s", (info) => {
    expect(isDisplayGroupContractInfo(info)).toBe(true);
  });

  it.each(["AAPL", "265598", "@SMART", "265598@", "none@SMART", "265598@SMART ", "", "NONE"])("refuses %j", (info) => {
    expect(isDisplayGroupContractInfo(info)).toBe(false);
  });
});
