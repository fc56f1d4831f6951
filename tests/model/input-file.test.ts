/**
 * The one input reader (model/input-file.ts): regular files and pipes up to
 * a size limit, everything else refused with one line; JSON refused when it
 * nests deeper than the limit, before anything recursive sees it.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputError } from "../../model/input-error.js";
import { INPUT_FILE_LIMIT, jsonNesting, JSON_NESTING_LIMIT, parseJsonInput, readInputText } from "../../model/input-file.js";

const directory = mkdtempSync(join(tmpdir(), "multipager-input-"));

function fifo(name: string): string {
  const path = join(directory, name);
  spawnSync("mkfifo", [path]);
  return path;
}

describe("readInputText", () => {
  test("a regular file is read; one over the limit is refused before it is read", () => {
    const file = join(directory, "small.json");
    writeFileSync(file, "{}");
    expect(readInputText(file, "configuration file")).toBe("{}");
    expect(() => readInputText(file, "configuration file", 1)).toThrow(`cannot read configuration file ${file}: 2 bytes, more than the 1 bytes an input file may have`);
  });

  test.each([
    ["/dev/zero", "a character device"],
    [directory, "a directory"],
  ])("%s is refused: %s, not a regular file", (path, kind) => {
    expect(() => readInputText(path, "trace file")).toThrow(InputError);
    expect(() => readInputText(path, "trace file")).toThrow(`cannot read trace file ${path}: it is ${kind}, not a regular file`);
  });

  test("a missing file names the reason", () => {
    expect(() => readInputText(join(directory, "nope"), "case file")).toThrow(/^cannot read case file .*nope: no such file \(ENOENT\)$/);
  });

  test("a FIFO is read to its end", async () => {
    const path = fifo("config-pipe");
    const writer = spawn("sh", ["-c", `printf '{"from": "a pipe"}' > '${path}'`]);
    expect(readInputText(path, "configuration file")).toBe('{"from": "a pipe"}');
    await new Promise((resolve) => writer.on("close", resolve));
  });

  test("a FIFO that never ends is refused once it passes the limit", async () => {
    const path = fifo("endless-pipe");
    const writer = spawn("sh", ["-c", `yes > '${path}'`]);
    const closed = new Promise((resolve) => writer.on("close", resolve));
    expect(() => readInputText(path, "trace file", 1 << 20)).toThrow(`cannot read trace file ${path}: more than the 1 MiB an input file may have`);
    await closed;
  });

  test("the limit is 64 MiB", () => expect(INPUT_FILE_LIMIT).toBe(64 * 2 ** 20));
});

describe("JSON nesting", () => {
  test("jsonNesting counts arrays and objects, not brackets inside strings", () => {
    expect(jsonNesting('{"a": [1, {"b": "[[[{{{"}]}', 10)).toEqual({ depth: 3, at: -1 });
    expect(jsonNesting('"\\"[["', 10)).toEqual({ depth: 0, at: -1 });
    expect(jsonNesting("[[[]]]", 2)).toEqual({ depth: 3, at: 2 });
  });

  test("100,000 nested arrays are one line, not a stack overflow", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(() => parseJsonInput(deep, "deep.json")).toThrow(`deep.json: JSON nested more than ${JSON_NESTING_LIMIT} levels deep (at character ${JSON_NESTING_LIMIT})`);
  });

  test("at the limit it parses; bad JSON is one line", () => {
    const atLimit = "[".repeat(JSON_NESTING_LIMIT) + "]".repeat(JSON_NESTING_LIMIT);
    expect(parseJsonInput(atLimit, "x")).toBeInstanceOf(Array);
    expect(() => parseJsonInput("{nope", "x.json")).toThrow(/^x\.json: not valid JSON \(.*\)$/);
  });
});
