/**
 * trace/text-metrics.ts's table is the installed DejaVu Sans's own advance
 * widths (Debian's fonts-dejavu-core, which .ci/run installs with chromium):
 * read from the font files, not typed in. Without the fonts the test is
 * skipped, except in CI.
 */
import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { ADVANCE_WIDTHS, MEASURED_CHARACTERS, textWidth } from "../../trace/text-metrics.js";
import { advanceWidths } from "./ttf.js";

const FONTS = { regular: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", bold: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf" };
const installed = existsSync(FONTS.regular) && existsSync(FONTS.bold);
if (!installed && process.env["CI"] !== "true") console.warn("text-metrics: DejaVu Sans not installed, skipping (apt-get install fonts-dejavu-core; CI requires it)");

describe.skipIf(!installed && process.env["CI"] !== "true")("text metrics", () => {
  test.each(["regular", "bold"] as const)("the %s widths are the font's", (style) => {
    const font = advanceWidths(FONTS[style], MEASURED_CHARACTERS);
    expect(font.unitsPerEm).toBe(2048);
    expect(ADVANCE_WIDTHS[style]).toEqual(font.widths);
  });
});

test("a character outside the table counts wider than any in it", () => {
  expect(textWidth("\u4e00", 12)).toBe(13.5);
  expect((Math.max(...ADVANCE_WIDTHS.regular, ...ADVANCE_WIDTHS.bold) * 12) / 2048).toBeLessThan(13.5);
});
