/**
 * The one output writer (model/atomic-write.ts): temporary-then-rename for
 * regular files, write-through for links, FIFOs and descriptors, `-` as
 * standard output, one-line errors naming the target, and stale temporary
 * files of dead processes removed.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import { descriptorOf, removeStaleTemporaries, writeFileAtomic, WriteError } from "../../model/atomic-write.js";

const fresh = () => mkdtempSync(join(tmpdir(), "multipager-write-"));

/** A pid that ran and is gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("writeFileAtomic", () => {
  test("a regular file is replaced whole, keeps its permissions, and leaves no temporary file", () => {
    const dir = fresh();
    const file = join(dir, "out.txt");
    writeFileSync(file, "old contents, longer than the new ones");
    chmodSync(file, 0o640);
    writeFileAtomic(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["out.txt"]);
  });

  test("a list of byte arrays is written one after the other", () => {
    const file = join(fresh(), "bytes.bin");
    writeFileAtomic(file, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
  });

  test("a symbolic link stays a link; its target gets the contents (also a dangling link's)", () => {
    const dir = fresh();
    writeFileSync(join(dir, "target.txt"), "old");
    symlinkSync("target.txt", join(dir, "link"));
    writeFileAtomic(join(dir, "link"), "through the link");
    expect(lstatSync(join(dir, "link")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "target.txt"), "utf8")).toBe("through the link");

    symlinkSync(join(dir, "not-yet.txt"), join(dir, "dangling"));
    writeFileAtomic(join(dir, "dangling"), "created");
    expect(readlinkSync(join(dir, "dangling"))).toBe(join(dir, "not-yet.txt"));
    expect(readFileSync(join(dir, "not-yet.txt"), "utf8")).toBe("created");
  });

  test("a link to a device is written through, not replaced by a regular file", () => {
    const link = join(fresh(), "null-device");
    symlinkSync("/dev/null", link);
    writeFileAtomic(link, "discarded");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });

  test("a FIFO is written through to its reader and stays a FIFO", async () => {
    const fifo = join(fresh(), "pipe");
    spawnSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo]);
    let received = "";
    reader.stdout.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    writeFileAtomic(fifo, "through the pipe\n");
    await closed;
    expect(received).toBe("through the pipe\n");
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  test("- and /dev/stdout are standard output (no temporary file in /dev)", () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      writeFileAtomic("-", "to stdout\n");
      writeFileAtomic("/dev/stdout", "again\n");
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toBe("to stdout\nagain\n");
    expect(readdirSync("/dev").some((name) => name.includes(".tmp-"))).toBe(false);
  });

  test("descriptor paths name the descriptor; other paths none", () => {
    expect(descriptorOf("-")).toBe(1);
    expect(descriptorOf("/dev/stderr")).toBe(2);
    expect(descriptorOf("/dev/fd/3")).toBe(3);
    expect(descriptorOf("/proc/self/fd/1")).toBe(1);
    expect(descriptorOf(`/proc/${process.pid}/fd/4`)).toBe(4);
    expect(descriptorOf(`/proc/${process.pid + 1}/fd/4`)).toBeUndefined();
    expect(descriptorOf("/dev/null")).toBeUndefined();
    expect(descriptorOf("out.txt")).toBeUndefined();
  });

  test("a failure is one WriteError line naming the target, not the temporary file", () => {
    const dir = fresh();
    const missing = join(dir, "no", "such", "dir", "out.txt");
    expect(() => writeFileAtomic(missing, "x")).toThrow(WriteError);
    expect(() => writeFileAtomic(missing, "x")).toThrow(`cannot write ${missing}: no such directory (ENOENT)`);
    expect(() => writeFileAtomic(dir, "x")).toThrow(`cannot write ${dir}: it is a directory (EISDIR)`);
    expect(() => writeFileAtomic("/dev/full", "x")).toThrow("cannot write /dev/full: no space left on device (ENOSPC)");
    expect(existsSync("/dev/full") && statSync("/dev/full").isCharacterDevice()).toBe(true);
  });

  test("stale temporary files of dead processes (and of this pid, reused) are removed on the next write; a running process's stay", () => {
    const dir = fresh();
    const file = join(dir, "trace.itf.json");
    const dead = `trace.itf.json.tmp-${deadPid()}-1700000000000`;
    const reused = `trace.itf.json.tmp-${process.pid}-1700000000001`;
    const running = `trace.itf.json.tmp-${process.ppid}-1700000000002`;
    const otherTarget = `other.json.tmp-${deadPid()}-1700000000003`;
    for (const name of [dead, reused, running, otherTarget]) writeFileSync(join(dir, name), "half");
    writeFileAtomic(file, "whole");
    expect(readdirSync(dir).sort()).toEqual([otherTarget, "trace.itf.json", running].sort());
    removeStaleTemporaries(join(dir, "other.json"));
    expect(readdirSync(dir).sort()).toEqual(["trace.itf.json", running].sort());
  });
});
