/**
 * The types of the specification language (model/lang): finite, first-order
 * and small, so that every back end has a direct reading of each. A sort is
 * a finite domain whose size the instance (the configuration) fixes — to the
 * SMT back end it is an uninterpreted sort, so a proof over it holds for
 * every size.
 *
 *   bool, enum          scalars
 *   sort S              an element of S (a subsort's elements are its parent's)
 *   option T            none, or some element of a sort
 *   record {f: T}       a tuple with named fields
 *   union tag {v: ...}  a tagged union; the fields of the inactive variants are absent
 *   set S               a subset of a sort
 */

export interface Sort {
  readonly kind: "sort";
  readonly name: string;
  /** A subsort is a fixed subset of its parent (e.g. the pagers among the threads). */
  readonly parent?: string;
}

export interface Field {
  readonly name: string;
  readonly type: Type;
}

export interface Variant {
  /** The tag's value in the object form (a string, or a boolean for two-variant unions such as Page.present). */
  readonly tag: string | boolean;
  readonly fields: readonly Field[];
}

export type Type =
  | { readonly kind: "bool" }
  | { readonly kind: "enum"; readonly name: string; readonly values: readonly string[] }
  | Sort
  | { readonly kind: "option"; readonly of: Sort }
  | { readonly kind: "record"; readonly name: string; readonly fields: readonly Field[] }
  | { readonly kind: "union"; readonly name: string; readonly tagField: string; readonly variants: readonly Variant[] }
  | { readonly kind: "set"; readonly of: Sort };

export type EnumType = Extract<Type, { kind: "enum" }>;
export type OptionType = Extract<Type, { kind: "option" }>;
export type RecordType = Extract<Type, { kind: "record" }>;
export type UnionType = Extract<Type, { kind: "union" }>;
export type SetType = Extract<Type, { kind: "set" }>;

export const Bool: Type = { kind: "bool" };

export const sort = (name: string, parent?: Sort): Sort =>
  parent === undefined ? { kind: "sort", name } : { kind: "sort", name, parent: parent.name };

export const enumType = (name: string, values: readonly string[]): EnumType => ({ kind: "enum", name, values });

export const option = (of: Sort): OptionType => ({ kind: "option", of });

export const setOf = (of: Sort): SetType => ({ kind: "set", of });

const fieldsOf = (fields: Readonly<Record<string, Type>>): Field[] =>
  Object.entries(fields).map(([name, type]) => ({ name, type }));

export const record = (name: string, fields: Readonly<Record<string, Type>>): RecordType => ({
  kind: "record",
  name,
  fields: fieldsOf(fields),
});

/**
 * A tagged union. `variants` in declaration order (the order in which a
 * parameter of this type is enumerated); a boolean-tagged union lists
 * `true` and `false` as the strings "true" and "false".
 */
export function union(name: string, tagField: string, variants: Readonly<Record<string, Readonly<Record<string, Type>>>>): UnionType {
  return {
    kind: "union",
    name,
    tagField,
    variants: Object.entries(variants).map(([tag, fields]) => ({
      tag: tag === "true" ? true : tag === "false" ? false : tag,
      fields: fieldsOf(fields),
    })),
  };
}

export function variantOf(type: UnionType, tag: string | boolean): Variant {
  const found = type.variants.find((v) => v.tag === tag);
  if (found === undefined) throw new Error(`${type.name} has no variant ${String(tag)}`);
  return found;
}

export function fieldOf(fields: readonly Field[], name: string, owner: string): Field {
  const found = fields.find((f) => f.name === name);
  if (found === undefined) throw new Error(`${owner} has no field ${name}`);
  return found;
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "bool":
      return true;
    case "sort":
      return rootSort(a) === rootSort(b as Sort);
    case "option":
    case "set":
      return rootSort(a.of) === rootSort((b as typeof a).of);
    case "enum":
    case "record":
    case "union":
      return a.name === (b as typeof a).name;
  }
}

/** The base sort a subsort's elements belong to (values of Pager are Threads). */
export const rootSort = (s: Sort): string => s.parent ?? s.name;

export function describeType(t: Type): string {
  switch (t.kind) {
    case "bool":
      return "BOOLEAN";
    case "sort":
      return t.name;
    case "option":
      return `Option(${t.of.name})`;
    case "set":
      return `SUBSET ${t.of.name}`;
    default:
      return t.name;
  }
}
