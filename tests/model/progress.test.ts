import { describe, expect, test } from "vitest";
import { terminalProgress } from "../../model/progress.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  const stream = { isTTY, columns: 60, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

const snapshot = (seconds: number) => ({ generated: 10 * seconds, distinct: 5, queue: 1, depth: 2, seconds });

describe("terminal progress line", () => {
  test("on a terminal: silent for the first 2 s, then one line redrawn in place, erased at the end", () => {
    const { stream, writes } = fakeStream(true);
    const progress = terminalProgress(stream, 2000);
    progress.update(snapshot(1));
    expect(writes).toEqual([]);
    progress.update(snapshot(3));
    progress.update(snapshot(4));
    expect(writes).toHaveLength(2);
    for (const line of writes) {
      expect(line.startsWith("\r")).toBe(true);
      expect(line).not.toContain("\n");
      expect(line.length).toBeLessThanOrEqual(60 + 4);
    }
    progress.finish();
    expect(writes.at(-1)).toBe("\r\x1b[K");
  });

  test("not a terminal: nothing at all", () => {
    const { stream, writes } = fakeStream(false);
    const progress = terminalProgress(stream, 0);
    progress.update(snapshot(10));
    progress.finish();
    expect(writes).toEqual([]);
  });

  test("a short run that never drew a line erases nothing", () => {
    const { stream, writes } = fakeStream(true);
    const progress = terminalProgress(stream, 2000);
    progress.update(snapshot(1));
    progress.finish();
    expect(writes).toEqual([]);
  });
});
