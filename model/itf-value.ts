/**
 * The grammar of an ITF expression (ADR-015, revised 2023): a JSON string,
 * a boolean, an integer (a JSON integer in -(2^53-1)..2^53-1, or
 * {"#bigint": "[-][0-9]+"}), a list (a JSON array), a record (an object
 * whose field names do not start with '#'), or one of the tagged forms
 * {"#tup": [...]}, {"#set": [...]}, {"#map": [[key, value], ...]},
 * {"#unserializable": "..."}. A variant {"tag": ..., "value": ...} is a
 * record. Anything else (a fraction, null, {"#set": 5}, an unknown tag) is
 * not an ITF value: the reader names where it is.
 */

/**
 * Deeper than this is not a trace value but an attack on the checker's
 * stack. Files are refused deeper still before they are parsed
 * (model/input-file.ts); this bounds values from elsewhere.
 */
export const MAX_ITF_DEPTH = 200;

const BIGINT = /^-?[0-9]+$/;

function listProblem(items: unknown, path: string, depth: number, what: string): string | undefined {
  if (!Array.isArray(items)) return `${path}: ${what} must hold a JSON array, got ${describe(items)}`;
  for (let i = 0; i < items.length; i++) {
    const problem = itfValueProblem(items[i], `${path}[${i}]`, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * The first problem with `value` as an ITF expression, as "path: what is
 * wrong" (path relative to the value, e.g. `.#map[0][1]`), or undefined when
 * it is one.
 */
export function itfValueProblem(value: unknown, path = "", depth = 0): string | undefined {
  const at = path === "" ? "value" : path;
  if (depth > MAX_ITF_DEPTH) return `${at}: nested deeper than ${MAX_ITF_DEPTH} levels`;
  if (typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return `${at}: ${describe(value)} is not an integer (ITF numbers are integers, or {"#bigint": "..."})`;
    if (!Number.isSafeInteger(value)) return `${at}: ${describe(value)} is outside -(2^53-1)..2^53-1 (write it as {"#bigint": "..."})`;
    return undefined;
  }
  if (value === null || typeof value !== "object") return `${at}: ${describe(value)} is not an ITF value`;
  if (Array.isArray(value)) return listProblem(value, path, depth, "a list");
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const tags = keys.filter((key) => key.startsWith("#"));
  if (tags.length === 0) {
    for (const key of keys) {
      const problem = itfValueProblem(record[key], `${path}.${key}`, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (keys.length !== 1) return `${at}: a tagged value has exactly one field, got ${keys.map((k) => JSON.stringify(k)).join(", ")}`;
  const tag = keys[0]!;
  const inner = record[tag];
  const tagged = `${path}.${tag}`;
  switch (tag) {
    case "#bigint":
      return typeof inner === "string" && BIGINT.test(inner) ? undefined : `${tagged}: must be a string of decimal digits with an optional '-', got ${describe(inner)}`;
    case "#unserializable":
      return typeof inner === "string" ? undefined : `${tagged}: must be a string, got ${describe(inner)}`;
    case "#set":
      return listProblem(inner, tagged, depth, '"#set"');
    case "#tup":
      return listProblem(inner, tagged, depth, '"#tup"');
    case "#map": {
      if (!Array.isArray(inner)) return `${tagged}: "#map" must hold a JSON array of [key, value] pairs, got ${describe(inner)}`;
      for (let i = 0; i < inner.length; i++) {
        const pair: unknown = inner[i];
        if (!Array.isArray(pair) || pair.length !== 2) return `${tagged}[${i}]: a "#map" entry must be a [key, value] pair, got ${describe(pair)}`;
        const problem = itfValueProblem(pair[0], `${tagged}[${i}][0]`, depth + 2) ?? itfValueProblem(pair[1], `${tagged}[${i}][1]`, depth + 2);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return `${at}: unknown tag ${JSON.stringify(tag)} (ITF has "#bigint", "#set", "#tup", "#map", "#unserializable"; record fields do not start with '#')`;
  }
}
