import { ParseResult } from "effect";

/** The first problem of an effect Schema parse error, on one line, with its path ("threads[2].task: Expected ..."). */
export function firstIssue(error: ParseResult.ParseError): string {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error);
  const issue = issues[0];
  if (issue === undefined) return ParseResult.TreeFormatter.formatErrorSync(error).split("\n").join(" ");
  const path = issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("");
  return `${path === "" ? "top level" : path.slice(path.startsWith(".") ? 1 : 0)}: ${issue.message.replace(/\s+/g, " ")}`;
}
