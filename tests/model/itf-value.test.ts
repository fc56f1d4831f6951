import { describe, expect, test } from "vitest";
import { itfValueProblem, MAX_ITF_DEPTH } from "../../model/itf-value.js";

describe("the ITF expression grammar", () => {
  test("accepts every form ADR-015 has", () => {
    for (const value of ["s", true, -3, 2 ** 53 - 1, [1, [2]], { a: 1 }, { tag: "Some", value: 0 }, { "#tup": [1, "x"] }, { "#set": [] }, { "#map": [[{ "#tup": [1] }, { "#set": [2] }]] }, { "#bigint": "-123456789012345678901" }, { "#unserializable": "f" }]) {
      expect(itfValueProblem(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  test("names the path down to what is not one", () => {
    expect(itfValueProblem({ a: [0, { "#set": 5 }] }, "x")).toBe('x.a[1].#set: "#set" must hold a JSON array, got 5');
    expect(itfValueProblem(0.5, "n")).toMatch(/^n: 0\.5 is not an integer/);
    expect(itfValueProblem(2 ** 60, "n")).toMatch(/^n: .* is outside -\(2\^53-1\)\.\.2\^53-1/);
    expect(itfValueProblem({ "#map": [[1, 2], [3]] }, "m")).toMatch(/^m\.#map\[1\]: a "#map" entry must be a \[key, value\] pair/);
    expect(itfValueProblem(null, "z")).toBe("z: null is not an ITF value");
  });

  test("stops at a depth no trace reaches, without overflowing the stack", () => {
    let deep: unknown = 0;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(itfValueProblem(deep, "v")).toMatch(new RegExp(`nested deeper than ${MAX_ITF_DEPTH} levels$`));
  });
});
