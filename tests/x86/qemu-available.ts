/**
 * Whether the QEMU-backed x86 tests can run here. Without qemu-system-i386
 * they are skipped with a printed message, except in CI (CI=true), where a
 * missing QEMU must fail the run instead of passing it silently.
 */
import { test } from "vitest";
import { findQemu } from "../../impl/x86case/qemu.js";

export const qemuAvailable = findQemu() !== null;
export const inCi = process.env["CI"] === "true";

/** Registers the test that fails in CI (or the printed skip elsewhere) when QEMU is missing. */
export function reportMissingQemu(what: string): void {
  if (qemuAvailable) return;
  if (inCi) {
    test(`${what}: qemu-system-i386 is installed (required in CI)`, () => {
      throw new Error("qemu-system-i386 not found on PATH: .ci/run installs the Debian package qemu-system-x86");
    });
  } else {
    console.log(`skipping ${what}: qemu-system-i386 not found (install the Debian package qemu-system-x86)`);
    test.skip(`${what} (needs qemu-system-i386)`, () => {});
  }
}
