/**
 * Every corpus trace is an ITF trace, checked independently of our reader
 * (model/itf.ts): a JSON Schema written from the format's definition
 * (Apalache ADR-015, "Informal Trace Format in JSON", revised 2023:
 * https://apalache-mc.org/docs/adr/015adr-trace.html) and a small
 * interpreter for the draft-07 keywords it uses. What a schema cannot say
 * (every state assigns every listed variable, `loop` indexes a state) is
 * checked beside it, as the ADR states it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

type Schema = { readonly [keyword: string]: unknown };

const MAX_SAFE = 2 ** 53 - 1;

/** ADR-015's grammar of expressions and traces, as JSON Schema (draft-07 subset). */
const ITF_SCHEMA: Schema = {
  definitions: {
    expr: {
      oneOf: [
        { type: "string" },
        { type: "boolean" },
        // "A JSON integer ... in the range [-(2**53)+1, (2**53)-1]"
        { type: "integer", minimum: -MAX_SAFE, maximum: MAX_SAFE },
        { $ref: "#/definitions/bigint" },
        // "A list ... is just a JSON array"
        { type: "array", items: { $ref: "#/definitions/expr" } },
        { type: "object", required: ["#tup"], additionalProperties: false, properties: { "#tup": { type: "array", items: { $ref: "#/definitions/expr" } } } },
        { type: "object", required: ["#set"], additionalProperties: false, properties: { "#set": { type: "array", items: { $ref: "#/definitions/expr" } } } },
        {
          type: "object",
          required: ["#map"],
          additionalProperties: false,
          properties: { "#map": { type: "array", items: { type: "array", minItems: 2, maxItems: 2, items: { $ref: "#/definitions/expr" } } } },
        },
        { type: "object", required: ["#unserializable"], additionalProperties: false, properties: { "#unserializable": { type: "string" } } },
        // "A record ... Field names should not start with #" (a variant {tag, value} is one too)
        { type: "object", propertyNames: { pattern: "^[^#]" }, additionalProperties: { $ref: "#/definitions/expr" } },
      ],
    },
    bigint: { type: "object", required: ["#bigint"], additionalProperties: false, properties: { "#bigint": { type: "string", pattern: "^-?[0-9]+$" } } },
    state: {
      type: "object",
      properties: { "#meta": { type: "object" } },
      patternProperties: { "^[^#]": { $ref: "#/definitions/expr" } },
      additionalProperties: false,
    },
  },
  type: "object",
  required: ["vars", "states"],
  additionalProperties: false,
  properties: {
    "#meta": { type: "object" },
    params: { type: "array", items: { type: "string" } },
    vars: { type: "array", items: { type: "string" } },
    states: { type: "array", items: { $ref: "#/definitions/state" } },
    loop: { type: "integer", minimum: 0 },
  },
};

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** The first error of `value` against `schema`, as "path: reason", or undefined (draft-07 keywords used above only). */
function validate(value: unknown, schema: Schema, root: Schema, path: string): string | undefined {
  const ref = schema["$ref"];
  if (typeof ref === "string") {
    const target = ref.replace(/^#\//, "").split("/").reduce<unknown>((node, key) => (node as Schema)[key], root) as Schema;
    return validate(value, target, root, path);
  }
  const oneOf = schema["oneOf"] as Schema[] | undefined;
  if (oneOf !== undefined) {
    const errors = oneOf.map((branch) => validate(value, branch, root, path));
    const passing = errors.filter((error) => error === undefined).length;
    if (passing === 1) return undefined;
    if (passing > 1) return `${path}: matches ${passing} forms of oneOf`;
    // Report the branch that got furthest (the longest path).
    return errors.sort((a, b) => b!.split(":")[0]!.length - a!.split(":")[0]!.length)[0];
  }
  const type = schema["type"];
  const actual = typeOf(value);
  if (type !== undefined && type !== actual && !(type === "number" && actual === "integer")) return `${path}: expected ${String(type)}, got ${actual}`;
  if (typeof value === "number") {
    if (typeof schema["minimum"] === "number" && value < schema["minimum"]) return `${path}: below ${schema["minimum"]}`;
    if (typeof schema["maximum"] === "number" && value > schema["maximum"]) return `${path}: above ${schema["maximum"]}`;
  }
  if (typeof value === "string" && typeof schema["pattern"] === "string" && !new RegExp(schema["pattern"]).test(value)) return `${path}: does not match ${schema["pattern"]}`;
  if (Array.isArray(value)) {
    if (typeof schema["minItems"] === "number" && value.length < schema["minItems"]) return `${path}: fewer than ${schema["minItems"]} items`;
    if (typeof schema["maxItems"] === "number" && value.length > schema["maxItems"]) return `${path}: more than ${schema["maxItems"]} items`;
    const items = schema["items"] as Schema | undefined;
    if (items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const error = validate(value[i], items, root, `${path}[${i}]`);
        if (error !== undefined) return error;
      }
    }
  }
  if (actual === "object") {
    const record = value as Record<string, unknown>;
    for (const key of (schema["required"] as string[] | undefined) ?? []) if (!(key in record)) return `${path}: lacks "${key}"`;
    const properties = (schema["properties"] as Record<string, Schema> | undefined) ?? {};
    const patterns = Object.entries((schema["patternProperties"] as Record<string, Schema> | undefined) ?? {});
    const names = schema["propertyNames"] as Schema | undefined;
    for (const [key, field] of Object.entries(record)) {
      if (names !== undefined) {
        const error = validate(key, names, root, `${path}.${key} (name)`);
        if (error !== undefined) return error;
      }
      const matched: Schema[] = [];
      if (properties[key] !== undefined) matched.push(properties[key]!);
      for (const [pattern, sub] of patterns) if (new RegExp(pattern).test(key)) matched.push(sub);
      if (matched.length === 0) {
        const additional = schema["additionalProperties"];
        if (additional === false) return `${path}: unexpected field "${key}"`;
        if (typeof additional === "object" && additional !== null) matched.push(additional as Schema);
      }
      for (const sub of matched) {
        const error = validate(field, sub, root, `${path}.${key}`);
        if (error !== undefined) return error;
      }
    }
  }
  return undefined;
}

/** The schema, then what the ADR says in words: every state assigns every var (and no others), loop indexes a state. */
function itfProblem(json: unknown): string | undefined {
  const error = validate(json, ITF_SCHEMA, ITF_SCHEMA, "trace");
  if (error !== undefined) return error;
  const trace = json as { vars: string[]; states: Record<string, unknown>[]; loop?: number };
  for (const [index, state] of trace.states.entries()) {
    const names = Object.keys(state).filter((key) => key !== "#meta").sort();
    if (JSON.stringify(names) !== JSON.stringify([...trace.vars].sort())) return `trace.states[${index}]: assigns ${names.join(", ")}, vars are ${trace.vars.join(", ")}`;
  }
  if (trace.loop !== undefined && trace.loop >= trace.states.length) return `trace.loop: ${trace.loop} is not the index of a state`;
  return undefined;
}

const DIR = "tests/traces";
const files = readdirSync(DIR).filter((name) => name.endsWith(".itf.json")).sort();
const read = (file: string): Record<string, any> => JSON.parse(readFileSync(join(DIR, file), "utf8")) as Record<string, any>;

describe("every corpus trace is ITF (ADR-015), checked without our reader", () => {
  test.each(files)("%s", (file) => {
    expect(itfProblem(read(file))).toBeUndefined();
  });

  test("the check can fail: hand-broken traces are rejected with the place named", () => {
    const broken: [string, (itf: Record<string, any>) => void, RegExp][] = [
      ["a set of 5", (itf) => (itf.states[0].threads = { "#set": 5 }), /trace\.states\[0\]\.threads/],
      ["a fraction", (itf) => (itf.states[1].threads[0] = 0.5), /trace\.states\[1\]\.threads\[0\]/],
      ["a bad bigint", (itf) => (itf.states[0].pending = { "#bigint": "1e3" }), /trace\.states\[0\]\.pending/],
      ["a map of triples", (itf) => (itf.states[0].pending = { "#map": [[1, 2, 3]] }), /trace\.states\[0\]\.pending/],
      ["a record field starting with #", (itf) => (itf.states[0].threads = [{ "#status": "running" }]), /trace\.states\[0\]\.threads\[0\]/],
      ["a missing variable", (itf) => delete itf.states[1].pending, /trace\.states\[1\]: assigns/],
      ["a loop past the end", (itf) => (itf.loop = 99), /trace\.loop: 99/],
      ["an unknown top-level field", (itf) => (itf.extra = 1), /unexpected field "extra"/],
    ];
    for (const [what, edit, expected] of broken) {
      const itf = read("spec-no-present-recheck.itf.json");
      edit(itf);
      expect(itfProblem(itf), what).toMatch(expected);
    }
  });
});
