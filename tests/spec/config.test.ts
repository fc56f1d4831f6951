import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../model/input-error.js";
import { DEFAULT_CONFIG, loadConfig, namedConfigs } from "../../spec/index.js";

const dir = mkdtempSync(join(tmpdir(), "spec-config-"));
const good = JSON.parse(
  JSON.stringify({
    tasks: 1,
    threads: [{ task: 0, pager: true }, { task: 0 }],
    frames: [0],
    regionsPerTask: 1,
    pagesPerRegion: 2,
    kernelAddresses: 1,
    markers: 2,
  }),
);

function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(load: () => unknown): InputError {
  try {
    load();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("spec configurations", () => {
  it("names tiny and default, and loads them by name", () => {
    expect(namedConfigs[0]!.name).toBe("tiny");
    expect(loadConfig(DEFAULT_CONFIG).name).toBe("default");
  });

  it("loads the example file", () => {
    expect(loadConfig("spec/configs/example.json").config.tasks).toBe(2);
    expect(loadConfig(fileWith("good.json", JSON.stringify(good))).config).toEqual(good);
  });

  it.each([
    ["a wrong type", { ...good, tasks: "one" }, /field tasks: /],
    ["a missing field", { ...good, markers: undefined }, /field markers: /],
    ["an out-of-range count", { ...good, pagesPerRegion: 99 }, /field pagesPerRegion: .*16/],
    ["a non-integer", { ...good, regionsPerTask: 1.5 }, /field regionsPerTask: /],
    ["an unknown field", { ...good, colour: "red" }, /field colour: /],
    ["a bad nested field", { ...good, threads: [{ task: 0, pager: "yes" }] }, /field threads\[0\]\.pager: /],
    ["a thread in a missing task", { ...good, threads: [{ task: 0, pager: true }, { task: 3 }] }, /field threads\[1\]\.task: task 3 does not exist/],
    ["a frame owned by a non-pager", { ...good, frames: [1] }, /field frames\[0\]: owner thread 1 is not a pager/],
  ])("rejects %s with one line naming the field (bad input)", (_what, value, message) => {
    const path = fileWith("bad.json", JSON.stringify(value));
    const error = errorOf(() => loadConfig(path));
    expect(error.kind).toBe("bad-input");
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(path)).toBe(true);
    expect(error.message).not.toContain("\n");
  });

  it("rejects text that is not JSON, and an unreadable file", () => {
    expect(errorOf(() => loadConfig(fileWith("junk.json", "{ tasks: "))).message).toMatch(/not valid JSON/);
    expect(errorOf(() => loadConfig(join(dir, "missing.json"))).kind).toBe("bad-input");
  });

  it("rejects an unknown name as a usage error", () => {
    const error = errorOf(() => loadConfig("huge"));
    expect(error.kind).toBe("usage");
    expect(error.message).toMatch(/unknown configuration "huge"/);
  });
});
