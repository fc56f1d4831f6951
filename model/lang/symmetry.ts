/**
 * Symmetry reduction derived from the types (`check --symmetry`): the
 * elements of a sort the spec declares symmetric are interchangeable unless
 * a fact of the instance tells them apart — a rigid function's value (a
 * thread's task), membership in a subsort (being a pager), a literal in the
 * spec (a fixed element), or what is attached to them (a pager's frames, which
 * move with it). Renaming them consistently maps successors to successors
 * and keeps every invariant, so the checker may keep one state per orbit.
 *
 * canonicalize never enumerates the group: it colours the elements by what
 * the state says about them (colour refinement, as symmetry-reducing checkers
 * and graph-canonisation tools do), names them in colour order, and only
 * where elements keep equal colours and swapping them is not an automorphism
 * of the state does it try their orderings (up to a cap; past it the image
 * is still in the orbit — sound — but may not be the orbit's one
 * representative). Sixteen interchangeable threads cost sixteen colours,
 * not 16! renamings.
 */
import type { Expr, Stmt } from "./ast.js";
import { children } from "./ast.js";
import type { Layout, Leaf, VariableLayout } from "./layout.js";
import { elementOffset } from "./layout.js";
import { type Instance, type Spec, elementsOf } from "./spec.js";
import { type Sort, type Type, rootSort } from "./types.js";

/** Groups of at most this many renamings are tried whole (exact, and cheaper than colouring). */
const SMALL_GROUP = 120;
/** Orderings of tied elements tried per state, at most. */
const TIE_ORDERINGS_CAP = 720;

interface LeafInfo {
  readonly leaf: Leaf;
  /** The enclosing unions' tag leaves and the tag values under which this leaf is active. */
  readonly guards: readonly { readonly tag: Leaf; readonly allowed: readonly number[] }[];
  /** What the leaf holds: plain data, an element of a symmetric sort (stored as e, or e + 1 for an option), or set membership of element e. */
  readonly role: { kind: "plain" } | { kind: "element"; sort: string; option: boolean } | { kind: "member"; sort: string; element: number };
}

interface VariableInfo {
  readonly v: VariableLayout;
  /** Per index position: the symmetric base sort it ranges over, or null. */
  readonly indexSorts: readonly (string | null)[];
  readonly elements: readonly { readonly index: readonly number[]; readonly offset: number }[];
  readonly leaves: readonly LeafInfo[];
  /** Leaves by path, to find the member leaf of a renamed element. */
  readonly byPath: ReadonlyMap<string, LeafInfo>;
}

function visit(e: Expr, f: (x: Expr) => void): void {
  f(e);
  for (const c of children(e.node)) visit(c, f);
}

function visitStmt(s: Stmt, f: (x: Expr) => void): void {
  switch (s.op) {
    case "assign":
      visit(s.target, f);
      visit(s.value, f);
      return;
    case "include":
    case "exclude":
      visit(s.set, f);
      visit(s.elem, f);
      return;
    case "if":
      visit(s.cond, f);
      for (const x of [...s.then, ...s.else]) visitStmt(x, f);
      return;
    case "forEach":
      visit(s.where, f);
      for (const x of s.body) visitStmt(x, f);
      return;
  }
}

const readBits = (b: Uint8Array, at: number, l: Leaf): number => (l.width === 0 ? 0 : (b[at + (l.bit >> 3)]! >> (l.bit & 7)) & ((1 << l.width) - 1));
const writeBits = (b: Uint8Array, at: number, l: Leaf, value: number): void => {
  if (l.width > 0) b[at + (l.bit >> 3)] = b[at + (l.bit >> 3)]! | (value << (l.bit & 7));
};

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The role of each leaf and the union tags it depends on. */
function leafInfos(v: VariableLayout, symmetric: ReadonlySet<string>): LeafInfo[] {
  const out: LeafInfo[] = [];
  const walk = (t: Type, path: (string | number)[], guards: LeafInfo["guards"]): void => {
    const at = (p: (string | number)[]) => v.byPath.get(p.join("."))!;
    const role = (s: Sort, option: boolean): LeafInfo["role"] => (symmetric.has(rootSort(s)) ? { kind: "element", sort: rootSort(s), option } : { kind: "plain" });
    switch (t.kind) {
      case "bool":
      case "enum":
        out.push({ leaf: at(path), guards, role: { kind: "plain" } });
        return;
      case "sort":
        out.push({ leaf: at(path), guards, role: role(t, false) });
        return;
      case "option":
        out.push({ leaf: at(path), guards, role: role(t.of, true) });
        return;
      case "set": {
        const sort = rootSort(t.of);
        for (let e = 0; v.byPath.has([...path, e].join(".")); e++)
          out.push({ leaf: at([...path, e]), guards, role: symmetric.has(sort) ? { kind: "member", sort, element: e } : { kind: "plain" } });
        return;
      }
      case "record":
        for (const f of t.fields) walk(f.type, [...path, f.name], guards);
        return;
      case "union": {
        const tag = at([...path, t.tagField]);
        out.push({ leaf: tag, guards, role: { kind: "plain" } });
        const done = new Set<string>();
        for (const variant of t.variants)
          for (const f of variant.fields) {
            if (done.has(f.name)) continue;
            done.add(f.name);
            const allowed = t.variants.flatMap((x, i) => (x.fields.some((g) => g.name === f.name) ? [i] : []));
            walk(f.type, [...path, f.name], [...guards, { tag, allowed }]);
          }
        return;
      }
    }
  };
  walk(v.type, [], []);
  return out;
}

/** Generated-code helpers shared by the compiled renaming and refinement round: per-variable loops, never one block per element. */
class LoopWriter {
  readonly tables: string[] = [];
  table(values: readonly number[]): string {
    this.tables.push(`const T${this.tables.length} = new Int32Array([${values.join(",")}]);`);
    return `T${this.tables.length - 1}`;
  }
  static read(l: Leaf, buf = "s", at = "at"): string {
    return l.width === 0 ? "0" : `((${buf}[${at} + ${l.bit >> 3}] >> ${l.bit & 7}) & ${(1 << l.width) - 1})`;
  }
  static guard(l: LeafInfo): string {
    return l.guards.map((g) => `(${g.allowed.map((a) => `${LoopWriter.read(g.tag)} === ${a}`).join(" || ")})`).join(" && ") || "true";
  }
  /** Tables of each element's index value at position k, in storage order. */
  indexTables(vi: VariableInfo): string[] {
    return vi.indexSorts.map((_, k) => this.table(vi.elements.map((el) => el.index[k]!)));
  }
}

/**
 * One round of colour refinement, compiled: for every element that has a
 * symmetric index or mentions a symmetric element, a hash of what it holds
 * (symmetric elements by colour, a set's members as a multiset), added to the
 * accumulator of every element it indexes or mentions. An element that
 * mentions none (most pages of a big address space) costs one test.
 */
function compileRefineRound(vars: readonly VariableInfo[], colorBase: ReadonlyMap<string, number>): (s: Uint8Array, colors: Int32Array, acc: Uint32Array) => void {
  const w = new LoopWriter();
  const lines: string[] = [];
  vars.forEach((vi, vIndex) => {
    if (vi.elements.length === 0) return;
    const idx = w.indexTables(vi);
    const symmetricIndex = vi.indexSorts.some((x) => x !== null);
    const mentions = vi.leaves.map((l, li) => ({ l, li, set: l.role.kind === "member" ? li - l.role.element : -1 })).filter((d) => d.l.role.kind !== "plain");
    if (!symmetricIndex && mentions.length === 0) return;
    const base = (sort: string) => colorBase.get(sort)!;
    const body: string[] = [`let h = ${mix(0x811c9dc5, vIndex)};`];
    vi.indexSorts.forEach((sort, k) => body.push(sort === null ? `h = mix(h, -1 - ${idx[k]}[i]);` : `h = mix(h, 1000 + colors[${base(sort)} + ${idx[k]}[i]]);`));
    const sets = new Map<number, string[]>();
    vi.leaves.forEach((l, li) => {
      const r = l.role;
      const x = LoopWriter.read(l.leaf);
      if (r.kind === "plain") body.push(`if (${LoopWriter.guard(l)}) h = mix(h, ${x});`);
      else if (r.kind === "element") body.push(`if (${LoopWriter.guard(l)}) { const e = ${x}${r.option ? " - 1" : ""}; h = mix(h, e < 0 ? -1 : 1000 + colors[${base(r.sort)} + e]); }`);
      else sets.set(li - r.element, [...(sets.get(li - r.element) ?? []), `(${x} === 1 ? mix(${li - r.element}, 2000 + colors[${base(r.sort) + r.element}]) : 0)`]);
    });
    // A set's members as a multiset of colours: an order-free sum.
    for (const terms of sets.values()) body.push(`h = mix(h, (${terms.join(" + ")}) >>> 0);`);
    vi.indexSorts.forEach((sort, k) => {
      if (sort !== null) body.push(`{ const x = ${base(sort)} + ${idx[k]}[i]; acc[x] = (acc[x] + mix(mix(h, ${-1 - k}), 3)) >>> 0; }`);
    });
    for (const d of mentions) {
      const r = d.l.role;
      const x = LoopWriter.read(d.l.leaf);
      if (r.kind === "element") body.push(`if (${LoopWriter.guard(d.l)}) { const e = ${x}${r.option ? " - 1" : ""}; if (e >= 0) acc[${base(r.sort)} + e] = (acc[${base(r.sort)} + e] + mix(mix(h, ${d.li}), 5)) >>> 0; }`);
      else if (r.kind === "member") body.push(`if (${x} === 1) acc[${base(r.sort) + r.element}] = (acc[${base(r.sort) + r.element}] + mix(mix(h, ${d.set}), 5)) >>> 0;`);
    }
    // An element with no symmetric index counts only when it mentions one.
    const any = mentions.map((d) => {
      const r = d.l.role;
      const x = LoopWriter.read(d.l.leaf);
      return r.kind === "member" ? `${x} === 1` : r.kind === "element" && r.option ? `(${LoopWriter.guard(d.l)} && ${x} !== 0)` : LoopWriter.guard(d.l);
    });
    lines.push(`for (let i = 0; i < ${vi.elements.length}; i++) {`, `  const at = ${vi.v.offset} + i * ${vi.v.stride};`);
    if (!symmetricIndex) lines.push(`  if (!(${any.join(" || ")})) continue;`);
    lines.push(...body.map((b) => `  ${b}`), "}");
  });
  const source = [
    ...w.tables,
    "function mix(h, x) { h = Math.imul(h ^ x, 0x9e3779b1); return (h ^ (h >>> 15)) >>> 0; }",
    "return function round(s, colors, acc) {",
    ...lines.map((l) => `  ${l}`),
    "};",
  ].join("\n");
  return new Function(source)() as (s: Uint8Array, colors: Int32Array, acc: Uint32Array) => void;
}

/**
 * A renaming, compiled: renamed(s, [P0, P1, ...], out) with Pi[old] = new for
 * sorts[i]. Elements that move (a symmetric index) are rewritten from
 * nothing at their image; the others keep their bytes and only their renamed
 * leaves change.
 */
function compileRename(vars: readonly VariableInfo[], sorts: readonly string[]): (s: Uint8Array, perms: readonly Int32Array[], out: Uint8Array) => void {
  const w = new LoopWriter();
  const lines: string[] = [];
  const permOf = (sort: string) => `P${sorts.indexOf(sort)}`;
  for (const vi of vars) {
    if (vi.elements.length === 0) continue;
    const moves = vi.indexSorts.some((x) => x !== null);
    const renames = vi.leaves.some((l) => l.role.kind !== "plain");
    if (!moves && !renames) continue;
    const idx = w.indexTables(vi);
    const counts = vi.v.slots.map((sl) => sl.filter((x) => x >= 0).length);
    const slotTables = vi.v.slots.map((sl) => w.table(sl.map((x) => Math.max(x, 0))));
    const body: string[] = [];
    if (moves) {
      let flat = "";
      vi.indexSorts.forEach((sort, k) => {
        const value = sort === null ? `${idx[k]}[i]` : `${permOf(sort)}[${idx[k]}[i]]`;
        const slot = `${slotTables[k]}[${value}]`;
        flat = k === 0 ? slot : `(${flat}) * ${counts[k]} + ${slot}`;
      });
      body.push(`const to = ${vi.v.offset} + (${flat}) * ${vi.v.stride};`);
    } else body.push("const to = at;");
    const clear = (l: Leaf) => (moves ? "" : `out[at + ${l.bit >> 3}] &= ${~(((1 << l.width) - 1) << (l.bit & 7)) & 0xff}; `);
    // A set of an element that stays: every member bit cleared first, then each member's image set.
    if (!moves) for (const l of vi.leaves) if (l.role.kind === "member" && l.leaf.width > 0) body.push(clear(l.leaf));
    const memberTables = new Map<string, { bytes: string; shifts: string }>();
    for (const l of vi.leaves) {
      if (l.leaf.width === 0) continue;
      if (!moves && l.role.kind === "plain") continue;
      const x = LoopWriter.read(l.leaf);
      let statement: string;
      if (l.role.kind === "plain") statement = `out[to + ${l.leaf.bit >> 3}] |= ${x} << ${l.leaf.bit & 7};`;
      else if (l.role.kind === "element") {
        const p = permOf(l.role.sort);
        const value = l.role.option ? `(x === 0 ? 0 : ${p}[x - 1] + 1)` : `${p}[x]`;
        statement = `{ const x = ${x}; ${clear(l.leaf)}out[to + ${l.leaf.bit >> 3}] |= ${value} << ${l.leaf.bit & 7}; }`;
      } else {
        // Membership of element e moves to the leaf of its image.
        const key = l.leaf.path.slice(0, -1).join(".");
        if (!memberTables.has(key)) {
          const members = vi.leaves.filter((m) => m.role.kind === "member" && m.leaf.path.slice(0, -1).join(".") === key);
          memberTables.set(key, { bytes: w.table(members.map((m) => m.leaf.bit >> 3)), shifts: w.table(members.map((m) => m.leaf.bit & 7)) });
        }
        const { bytes, shifts } = memberTables.get(key)!;
        const target = `${permOf(l.role.sort)}[${l.role.element}]`;
        statement = `if (${x} === 1) out[to + ${bytes}[${target}]] |= 1 << ${shifts}[${target}];`;
      }
      const guard = LoopWriter.guard(l);
      body.push(guard === "true" ? statement : `if (${guard}) ${statement}`);
    }
    if (moves) lines.push(`out.fill(0, ${vi.v.offset}, ${vi.v.offset + vi.elements.length * vi.v.stride});`);
    lines.push(`for (let i = 0; i < ${vi.elements.length}; i++) {`, `  const at = ${vi.v.offset} + i * ${vi.v.stride};`, ...body.map((b) => `  ${b}`), "}");
  }
  const args = sorts.map((_, i) => `P${i}`).join(", ");
  const source = [...w.tables, "return function renamed(s, perms, out) {", `  const [${args}] = perms;`, "  out.set(s);", ...lines.map((l) => `  ${l}`), "};"].join("\n");
  return new Function(source)() as (s: Uint8Array, perms: readonly Int32Array[], out: Uint8Array) => void;
}

/** The canonicalize hook for a spec's machine, or null when no sort is symmetric (or a fact rules it out). */
export function canonicalizerFor(spec: Spec, inst: Instance, layout: Layout, options: { smallGroup?: number } = {}): ((state: Uint8Array) => Uint8Array) | null {
  const symmetric = new Set((spec.symmetric ?? []).map((s) => rootSort(s)));
  if (symmetric.size === 0) return null;

  // What the spec mentions: rigid facts, literal elements, wrapped values.
  const usedRigids = new Set<string>();
  const fixed = new Map<string, Set<number>>([...symmetric].map((s) => [s, new Set<number>()]));
  let unsupported = false;
  const scan = (x: Expr) => {
    const n = x.node;
    if (n.op === "rigid") usedRigids.add(n.fn);
    if (n.op === "lit" && x.type.kind === "sort" && symmetric.has(rootSort(x.type))) fixed.get(rootSort(x.type))!.add(n.value as number);
    if (n.op === "wrap" && symmetric.has(rootSort(n.sort))) unsupported = true;
  };
  for (const a of spec.actions) {
    for (const g of a.guard) visit(g, scan);
    for (const s of a.effect) visitStmt(s, scan);
  }
  for (const inv of spec.invariants) visit(inv.holds, scan);

  // Class keys (what tells elements apart) and attachments (elements that move with their owner).
  const keys = new Map<string, string[]>([...symmetric].map((s) => [s, Array.from({ length: inst.sizes[s]! }, () => "")]));
  const attachedTo = new Map<string, { owner: string; of: (e: number) => number }>();
  for (const r of spec.rigids) {
    if (!usedRigids.has(r.name)) continue;
    const fn = inst.rigids[r.name]!;
    const resultSort = r.result.kind === "sort" ? r.result : r.result.kind === "option" ? r.result.of : null;
    const resultSymmetric = resultSort !== null && symmetric.has(rootSort(resultSort));
    const argSymmetric = r.args.map((a) => symmetric.has(rootSort(a)));
    if (r.args.length === 0) {
      const value = fn();
      if (resultSymmetric && value !== null) fixed.get(rootSort(resultSort!))!.add(value as number);
      continue;
    }
    if (r.args.length > 1) {
      if (argSymmetric.some(Boolean) || resultSymmetric) unsupported = true;
      continue;
    }
    const arg = rootSort(r.args[0]!);
    if (!argSymmetric[0]) {
      if (resultSymmetric) unsupported = true;
      continue;
    }
    if (!resultSymmetric) {
      keys.get(arg)!.forEach((_, e, k) => (k[e] += `|${r.name}=${String(fn(e))}`));
      continue;
    }
    if (attachedTo.has(arg) || r.result.kind === "option") unsupported = true;
    attachedTo.set(arg, { owner: rootSort(resultSort!), of: (e) => fn(e) as number });
  }
  for (const sub of spec.sorts) {
    if (sub.parent === undefined || !symmetric.has(sub.parent)) continue;
    const members = new Set(inst.members[sub.name]!);
    keys.get(sub.parent)!.forEach((_, e, k) => (k[e] += `|${sub.name}=${members.has(e)}`));
  }
  for (const [owner] of [...attachedTo.values()].map((a) => [a.owner])) if (attachedTo.has(owner!)) unsupported = true;
  if (unsupported) return null;
  for (const [s, es] of fixed) for (const e of es) keys.get(s)![e] += `|fixed=${e}`;
  for (const [sort, { owner, of }] of attachedTo) {
    const k = keys.get(owner)!;
    const counts = new Map<number, Map<string, number>>();
    for (let e = 0; e < inst.sizes[sort]!; e++) {
      const byKey = counts.get(of(e)) ?? new Map<string, number>();
      byKey.set(keys.get(sort)![e]!, (byKey.get(keys.get(sort)![e]!) ?? 0) + 1);
      counts.set(of(e), byKey);
    }
    k.forEach((_, o, arr) => (arr[o] += `|${sort}=${JSON.stringify([...(counts.get(o) ?? new Map()).entries()].sort())}`));
  }

  // Initial colours: the class of the key, numbered in the order of the keys (a naming-free order).
  const initial = new Map<string, Int32Array>();
  let anyMoves = false;
  for (const [s, k] of keys) {
    const distinct = [...new Set(k)].sort();
    initial.set(s, Int32Array.from(k.map((x) => distinct.indexOf(x))));
    if (distinct.length < k.length) anyMoves = true;
  }
  if (!anyMoves) return null;

  const vars: VariableInfo[] = layout.variables.map((v) => {
    const decl = spec.variables.find((x) => x.name === v.name)!;
    const leaves = leafInfos(v, symmetric);
    const elements: { index: number[]; offset: number }[] = [];
    const walk = (k: number, index: number[]) => {
      if (k === decl.index.length) elements.push({ index, offset: elementOffset(v, index) });
      else for (const e of elementsOf(inst, decl.index[k]!)) walk(k + 1, [...index, e]);
    };
    walk(0, []);
    return {
      v,
      indexSorts: decl.index.map((s) => (symmetric.has(rootSort(s)) ? rootSort(s) : null)),
      elements,
      leaves,
      byPath: new Map(leaves.map((l) => [l.leaf.path.join("."), l])),
    };
  });
  const sorts = [...symmetric];
  const image = new Uint8Array(layout.length);
  const best = new Uint8Array(layout.length);

  const active = (s: Uint8Array, at: number, l: LeafInfo) => l.guards.every((g) => g.allowed.includes(readBits(s, at, g.tag)));

  /**
   * The image of s under a renaming, compiled to straight-line code for this
   * layout: renamed(s, P0, P1, ..., out) with Pi[old] = new for sorts[i].
   */
  const renamed = compileRename(vars, sorts);
  const permList: Int32Array[] = [];
  const rename = (s: Uint8Array, perm: ReadonlyMap<string, Int32Array>, out: Uint8Array): void => {
    sorts.forEach((x, i) => (permList[i] = perm.get(x)!));
    renamed(s, permList, out);
  };

  // Colour refinement works on numbered sorts and flat descriptions of each element's leaves.
  const sortIndex = new Map(sorts.map((x, i) => [x, i]));
  const sizes = sorts.map((x) => inst.sizes[x]!);
  const colorBase = sizes.reduce<number[]>((acc, n, i) => [...acc, (acc[i] ?? 0) + n], [0]);
  const totalElements = colorBase[sorts.length]!;
  const initialColors = new Int32Array(totalElements);
  sorts.forEach((x, i) => initialColors.set(initial.get(x)!, colorBase[i]!));
  const colors = new Int32Array(totalElements);
  const nextColors = new Int32Array(totalElements);
  const acc = new Uint32Array(totalElements);
  const order = Array.from({ length: totalElements }, (_, i) => i);
  const round = compileRefineRound(vars, new Map(sorts.map((x, i) => [x, colorBase[i]!])));

  /** Colour refinement: each element's colour from its class and every place the state mentions it, until stable. */
  const refine = (s: Uint8Array): Map<string, Int32Array> => {
    colors.set(initialColors);
    let classes = 0;
    for (let r = 0; r < totalElements + 1; r++) {
      acc.fill(0);
      round(s, colors, acc);
      // New colour: the rank of (old colour, how it is mentioned) within its sort.
      let count = 0;
      for (let si = 0; si < sorts.length; si++) {
        const from = colorBase[si]!;
        const ids = order.slice(from, colorBase[si + 1]!);
        ids.sort((a, b) => colors[a]! - colors[b]! || acc[a]! - acc[b]!);
        let c = -1;
        ids.forEach((id, i) => {
          if (i === 0 || colors[id] !== colors[ids[i - 1]!] || acc[id] !== acc[ids[i - 1]!]) c++;
          nextColors[id] = c;
        });
        count += c + 1;
      }
      colors.set(nextColors);
      if (count === classes) break;
      classes = count;
    }
    return new Map(sorts.map((x, i) => [x, colors.slice(colorBase[i]!, colorBase[i + 1]!)]));
  };

  /** The groups of interchangeable elements: each class of a free sort; the attached elements of each owner. */
  const groupsOf = (sort: string): number[][] => {
    const groups = new Map<number, number[]>();
    const attached = attachedTo.get(sort);
    const init = initial.get(sort)!;
    for (let e = 0; e < inst.sizes[sort]!; e++) {
      const key = attached === undefined ? init[e]! : attached.of(e) * 100_000 + init[e]!;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    return [...groups.values()];
  };
  const groups = new Map(sorts.map((x) => [x, groupsOf(x)]));

  /** `rank` orders each group: the renaming gives the group's numbers, ascending, to its elements in rank order. */
  const renaming = (rank: ReadonlyMap<string, Int32Array>): Map<string, Int32Array> => {
    const perm = new Map<string, Int32Array>();
    const inOrder = (sort: string, members: readonly number[]) => [...members].sort((a, b) => rank.get(sort)![a]! - rank.get(sort)![b]!);
    for (const sort of sorts) {
      if (attachedTo.has(sort)) continue;
      const p = new Int32Array(inst.sizes[sort]!);
      for (const members of groups.get(sort)!) inOrder(sort, members).forEach((e, i) => (p[e] = members[i]!));
      perm.set(sort, p);
    }
    for (const [sort, { owner, of }] of attachedTo) {
      // An owner's attached elements go to its image's, in rank order.
      const p = new Int32Array(inst.sizes[sort]!);
      const byOwner = new Map<number, number[]>();
      for (let e = 0; e < p.length; e++) byOwner.set(of(e), [...(byOwner.get(of(e)) ?? []), e]);
      for (const [o, mine] of byOwner) {
        const theirs = byOwner.get(perm.get(owner)![o]!)!;
        inOrder(sort, mine).forEach((e, i) => (p[e] = theirs[i]!));
      }
      perm.set(sort, p);
    }
    return perm;
  };

  /** Every renaming of the group when it has at most SMALL_GROUP elements, else null. */
  function smallGroup(): Map<string, Int32Array>[] | null {
    const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
    let size = 1;
    for (const sort of sorts) for (const g of groups.get(sort)!) size *= factorial(g.length);
    if (size > (options.smallGroup ?? SMALL_GROUP)) return null;
    const permutations = (items: readonly number[]): number[][] =>
      items.length <= 1 ? [[...items]] : items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
    // Ranks that order each group every possible way; renaming() turns each into a renaming (attachments following).
    let ranks: Map<string, Int32Array>[] = [new Map(sorts.map((x) => [x, Int32Array.from({ length: inst.sizes[x]! }, (_, i) => i)]))];
    for (const sort of sorts)
      for (const members of groups.get(sort)!) {
        if (members.length < 2) continue;
        ranks = ranks.flatMap((rank) =>
          permutations(members).map((order) => {
            const next = new Map([...rank].map(([k, v]) => [k, v.slice()]));
            order.forEach((e, i) => (next.get(sort)![e] = members[i]!));
            return next;
          }),
        );
      }
    return ranks.map((rank) => renaming(rank));
  }

  const lessThan = (a: Uint8Array, b: Uint8Array): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  };

  // The elements attached to each owner (a pager's frames), and identity renamings to edit in place.
  const attachedLists = new Map<string, Map<number, number[]>>();
  for (const [sort, { of }] of attachedTo) {
    const byOwner = new Map<number, number[]>();
    for (let e = 0; e < inst.sizes[sort]!; e++) byOwner.set(of(e), [...(byOwner.get(of(e)) ?? []), e]);
    attachedLists.set(sort, byOwner);
  }
  const identity = new Map(sorts.map((x) => [x, Int32Array.from({ length: inst.sizes[x]! }, (_, i) => i)]));
  const swap = new Map(sorts.map((x) => [x, Int32Array.from({ length: inst.sizes[x]! }, (_, i) => i)]));

  /**
   * Would exchanging a and b in the order change the image? Ordering b before
   * a renames by P∘τ where τ swaps them (their attachments paired in rank
   * order), so the image is the same exactly when τ fixes the state.
   */
  const exchangeMatters = (s: Uint8Array, sort: string, a: number, b: number, rank: Map<string, Int32Array>): boolean => {
    const t = swap.get(sort)!;
    t[a] = b;
    t[b] = a;
    const touched: [Int32Array, number[]][] = [];
    for (const [attached, { owner }] of attachedTo) {
      if (owner !== sort) continue;
      const r = rank.get(attached)!;
      const mine = [...(attachedLists.get(attached)!.get(a) ?? [])].sort((x, y) => r[x]! - r[y]!);
      const theirs = [...(attachedLists.get(attached)!.get(b) ?? [])].sort((x, y) => r[x]! - r[y]!);
      const p = swap.get(attached)!;
      mine.forEach((e, i) => {
        p[e] = theirs[i]!;
        p[theirs[i]!] = e;
      });
      touched.push([p, [...mine, ...theirs]]);
    }
    rename(s, swap, image);
    t[a] = a;
    t[b] = b;
    for (const [p, es] of touched) for (const e of es) p[e] = e;
    for (let i = 0; i < image.length; i++) if (image[i] !== s[i]) return true;
    return false;
  };
  void identity;

  const small = smallGroup();
  if (small !== null) {
    // A small group (a few interchangeable threads) is cheapest to try whole: the smallest image is the orbit's representative.
    return (state) => {
      best.set(state);
      for (const g of small) {
        rename(state, g, image);
        if (lessThan(image, best)) best.set(image);
      }
      return best.slice();
    };
  }

  return (state) => {
    const colors = refine(state);
    // Rank: colour first, then the element's number (only ever deciding between equal colours).
    const rank = new Map(sorts.map((sort) => [sort, Int32Array.from(colors.get(sort)!, (c, e) => c * 4096 + e)]));
    const ties: { sort: string; members: number[] }[] = [];
    for (const sort of sorts)
      for (const members of groups.get(sort)!) {
        const byColor = new Map<number, number[]>();
        for (const e of members) byColor.set(colors.get(sort)![e]!, [...(byColor.get(colors.get(sort)![e]!) ?? []), e]);
        for (const run of byColor.values()) if (run.length > 1 && run.slice(1).some((m) => exchangeMatters(state, sort, run[0]!, m, rank))) ties.push({ sort, members: run });
      }
    rename(state, renaming(rank), best);
    if (ties.length === 0) return best.slice();
    // Equal colours that are not interchangeable in this state: try their orderings, keep the smallest image.
    let tried = 0;
    const explore = (k: number): void => {
      if (tried >= TIE_ORDERINGS_CAP) return;
      if (k === ties.length) {
        tried++;
        rename(state, renaming(rank), image);
        if (lessThan(image, best)) best.set(image);
        return;
      }
      const { sort, members } = ties[k]!;
      const r = rank.get(sort)!;
      const base = members.map((e) => r[e]!).sort((x, y) => x - y);
      const permute = (rest: number[], placed: number[]): void => {
        if (rest.length === 0) {
          placed.forEach((e, i) => (r[e] = base[i]!));
          explore(k + 1);
          return;
        }
        for (let i = 0; i < rest.length && tried < TIE_ORDERINGS_CAP; i++) permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...placed, rest[i]!]);
      };
      const saved = members.map((e) => r[e]!);
      permute(members, []);
      members.forEach((e, i) => (r[e] = saved[i]!));
    };
    explore(0);
    return best.slice();
  };
}
