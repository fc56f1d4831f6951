/** The committed test kernel binary is the one its committed NASM source builds. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const source = fileURLToPath(new URL("./kernel/pagetest.asm", import.meta.url));
const binary = fileURLToPath(new URL("./kernel/pagetest.bin", import.meta.url));

function nasmAvailable(): boolean {
  try {
    execFileSync("nasm", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const hasNasm = nasmAvailable();
if (!hasNasm && process.env["CI"] !== "true") console.log("skipping the test-kernel rebuild check: nasm not found (install the Debian package nasm)");

test.runIf(hasNasm || process.env["CI"] === "true")("tests/x86/kernel/pagetest.bin is what nasm builds from pagetest.asm", () => {
  expect(hasNasm, "nasm is required in CI (.ci/run installs it)").toBe(true);
  const directory = mkdtempSync(join(tmpdir(), "multipager-nasm-"));
  try {
    const built = join(directory, "pagetest.bin");
    execFileSync("nasm", ["-f", "bin", "-o", built, source]);
    expect(Buffer.compare(readFileSync(built), readFileSync(binary)), "rebuild: nasm -f bin -o tests/x86/kernel/pagetest.bin tests/x86/kernel/pagetest.asm").toBe(0);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
