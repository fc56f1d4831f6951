/**
 * Text measured without a browser, so the SVG can place every label where
 * it fits: the advance widths of DejaVu Sans (Book and Bold, 2048 units per
 * em), the first font of the charts' font list and the one Debian's
 * fonts-dejavu-core installs. tests/trace/text-metrics.test.ts reads the
 * installed font files and checks this table against them; the Chromium test
 * checks the placed labels do not collide.
 */

export const FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif";

const UNITS_PER_EM = 2048;

/** The characters the table covers, in order: printable ASCII, then a few arrows and quotes. */
export const MEASURED_CHARACTERS: readonly string[] = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  "→", "“", "”", "…", "·", "×", "←",
];

/* prettier-ignore */
const REGULAR: readonly number[] = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
  1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087,
  2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612,
  1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
  1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253,
  1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716, 1716,
  1061, 1061, 2048, 651, 1716, 1716,
];

/* prettier-ignore */
const BOLD: readonly number[] = [
  713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748,
  1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188,
  2048, 1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741,
  1501, 1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024,
  1024, 1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407,
  1466, 1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716, 1716,
  1346, 1346, 2048, 778, 1716, 1716,
];

export const ADVANCE_WIDTHS: { readonly regular: readonly number[]; readonly bold: readonly number[] } = { regular: REGULAR, bold: BOLD };

const INDEX = new Map(MEASURED_CHARACTERS.map((char, index) => [char, index]));

/** A character outside the table is counted 1.125 em wide: wider than any it has (bold W is 1.103 em), so nothing overflows. */
const UNKNOWN = UNITS_PER_EM * 1.125;

/** The width in pixels of `text` at `size` pixels (no kerning: a little wider than the browser draws it, never narrower). */
export function textWidth(text: string, size: number, bold = false): number {
  const widths = bold ? BOLD : REGULAR;
  let units = 0;
  for (const char of text) {
    const index = INDEX.get(char);
    units += index === undefined ? UNKNOWN : widths[index]!;
  }
  return (units * size) / UNITS_PER_EM;
}

/** `text` broken at spaces into lines of at most `maxWidth` pixels (a word wider than that is cut, with a hyphen-free break). */
export function wrapToWidth(text: string, maxWidth: number, size: number, bold = false): string[] {
  const lines: string[] = [];
  let line = "";
  const fits = (candidate: string) => textWidth(candidate, size, bold) <= maxWidth;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    // A word wider than a line is cut where it stops fitting.
    let rest = word;
    while (!fits(rest)) {
      let cut = 1;
      while (cut < rest.length && fits(rest.slice(0, cut + 1))) cut++;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line !== "") lines.push(line);
  return lines;
}
