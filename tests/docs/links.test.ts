/**
 * The README is a map: short, every command's page one link away, and no link
 * (file or #anchor) in the README, docs/ or the folders' READMEs pointing nowhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { commandNames } from "../../cli/main.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const docs = join(root, "docs");

const markdownFiles = [
  join(root, "README.md"),
  ...readdirSync(docs).filter((name) => name.endsWith(".md")).map((name) => join(docs, name)),
  join(root, "spec/README.md"),
  join(root, "tests/traces/README.md"),
];

/** Markdown outside fenced code blocks (links inside code are examples, not links). */
function prose(text: string): string {
  return text.split(/^```[^\n]*\n[\s\S]*?^```$/m).join("\n");
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = match[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

function links(file: string): { target: string; anchor?: string }[] {
  const text = prose(readFileSync(file, "utf8")).replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path, anchor] = href.split("#", 2) as [string, string | undefined];
      return { target: path === "" ? file : resolve(dirname(file), path), ...(anchor === undefined ? {} : { anchor }) };
    });
}

describe("documentation", () => {
  test("README.md is a map: under 15 KB", () => {
    expect(statSync(join(root, "README.md")).size).toBeLessThan(15 * 1024);
  });

  test("README.md keeps the two fresh-clone commands verbatim", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain("npm ci && npx multipager check");
    expect(readme).toContain("npm test");
  });

  test("every command has a page under docs/, linked from the README", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    for (const name of commandNames()) {
      expect(existsSync(join(docs, `${name}.md`)), `docs/${name}.md`).toBe(true);
      expect(readme, `README links docs/${name}.md`).toContain(`](docs/${name}.md)`);
    }
  });

  test("every page of docs/ is listed in docs/index.md", () => {
    const index = readFileSync(join(docs, "index.md"), "utf8");
    for (const name of readdirSync(docs).filter((n) => n.endsWith(".md") && n !== "index.md")) {
      expect(index, name).toContain(`](${name})`);
    }
  });

  test.each(markdownFiles.map((file) => relative(root, file)))("every link of %s resolves", (name) => {
    const file = join(root, name);
    for (const link of links(file)) {
      const where = `${name} -> ${relative(root, link.target)}${link.anchor === undefined ? "" : `#${link.anchor}`}`;
      expect(existsSync(link.target), where).toBe(true);
      if (link.anchor !== undefined) {
        expect(link.target.endsWith(".md"), where).toBe(true);
        expect([...anchors(readFileSync(link.target, "utf8"))], where).toContain(link.anchor);
      }
    }
  });
});
