/**
 * GitHub-Flavored Markdown for the tests, rendered by micromark with its GFM
 * extension (a CommonMark and GFM implementation that passes both
 * specifications' test suites), and the few pieces of its HTML the tests
 * read back: tables as cell texts, code blocks by language.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

export function renderGfm(markdown: string): string {
  return micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };
export const decodeHtml = (html: string): string => html.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity]!);
const cellText = (html: string): string => decodeHtml(html.replace(/<br\s*\/?>/g, "\n").replace(/<[^>]+>/g, ""));

/** Every table of the HTML: its header cells and its rows of cells, as text. */
export function tablesOf(html: string): { header: string[]; rows: string[][] }[] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) => {
    const cells = (row: string, tag: string) => [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map(([, c]) => cellText(c!));
    const rows = [...table!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => row!);
    return { header: cells(rows[0] ?? "", "th"), rows: rows.slice(1).map((row) => cells(row, "td")) };
  });
}

/** The code blocks of a language, decoded. */
export function codeBlocks(html: string, language: string): string[] {
  return [...html.matchAll(new RegExp(`<pre><code class="language-${language}">([\\s\\S]*?)</code></pre>`, "g"))].map(([, code]) => decodeHtml(code!));
}

