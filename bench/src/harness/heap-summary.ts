// Compares two V8 heap snapshots (.heapsnapshot, as v8.writeHeapSnapshot writes them) taken
// before and after `count` things (in-flight workflows) were added, and says what one of them
// costs and what holds it:
//
//  holders  every object is attributed to its holder: walking up the dominator tree (an object's
//           dominator is the one every path from the roots to it passes through, so freeing the
//           dominator frees it) to the last object below a shared one (which retains more than
//           SHARED_BYTES: a timer list, a map of every workflow). Grouped by that holder's kind
//           and the shared object it sits in, e.g. `object Timeout in object TimersList`: one
//           pending timer and everything only it keeps alive;
//  kinds    the objects' own (shallow) sizes by kind.
//
// A kind is the node's type with, for objects, closures and V8's internal nodes, its name:
// `object Timeout`, `closure onTimeout`, `object system / Context` (a closure's or an async
// function's variables), `string`. Dominators: Lengauer and Tarjan's algorithm (with path
// compression) over the strong edges (weak and shortcut edges left out), as DevTools computes
// retained sizes. memlab does this too, but it brings a browser (puppeteer) along.
// As a command: `pnpm bench heap-summary --before A --after B [--count N]` (benchmarks/heap-summary.ts).
import { readFile } from "node:fs/promises";

/** An object that retains more than this is shared by many workflows: one never retains as much. */
const SHARED_BYTES = 64 * 1024;
const NAMED_TYPES = new Set(["object", "closure", "hidden", "native", "code", "synthetic"]);

/** The parts of a .heapsnapshot read here. */
interface HeapSnapshotFile {
  snapshot: {
    meta: {
      node_fields: string[];
      edge_fields: string[];
      node_types: (string[] | string)[];
      edge_types: (string[] | string)[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Snapshot {
  n: number;
  kinds: string[];
  kind: Uint32Array;
  size: Float64Array;
  firstEdge: Uint32Array;
  to: Int32Array;
  edgeName(x: number, y: number): string;
}

interface Group {
  holders: number;
  bytes: number;
  kinds: Map<string, number>;
}

export interface HolderCost {
  holder: string;
  holdersPerWorkflow: number;
  bytesPerWorkflow: number;
  madeOf: { kind: string; bytesPerWorkflow: number }[];
}

export interface KindCost {
  kind: string;
  countPerWorkflow: number;
  bytesPerWorkflow: number;
}

export interface SnapshotComparison {
  bytesPerWorkflow: number;
  holders: HolderCost[];
  kinds: KindCost[];
}

/** The snapshot as flat typed arrays: nodes, their kinds and sizes, edges in CSR form. */
async function readSnapshot(file: string): Promise<Snapshot> {
  const s = JSON.parse(await readFile(file, "utf8")) as HeapSnapshotFile;
  const meta = s.snapshot.meta;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const at = (name: string) => meta.node_fields.indexOf(name);
  const edgeAt = (name: string) => meta.edge_fields.indexOf(name);
  const nodeTypes = meta.node_types[at("type")] as string[];
  const edgeTypes = meta.edge_types[edgeAt("type")] as string[];
  const n = s.nodes.length / nodeWidth;
  const kindIds = new Map<string, number>();
  const kinds: string[] = [];
  const kind = new Uint32Array(n);
  const size = new Float64Array(n);
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    const type = nodeTypes[s.nodes[i * nodeWidth + at("type")]];
    const name = NAMED_TYPES.has(type) ? `${type} ${s.strings[s.nodes[i * nodeWidth + at("name")]]}` : type;
    if (!kindIds.has(name)) kindIds.set(name, kinds.push(name) - 1);
    kind[i] = kindIds.get(name) as number;
    size[i] = s.nodes[i * nodeWidth + at("self_size")];
    firstEdge[i] = e;
    e += s.nodes[i * nodeWidth + at("edge_count")];
    firstEdge[i + 1] = e;
  }
  const ignored = new Set([edgeTypes.indexOf("weak"), edgeTypes.indexOf("shortcut")]);
  const indexed = new Set([edgeTypes.indexOf("element"), edgeTypes.indexOf("hidden")]);
  const edgeCount = s.edges.length / edgeWidth;
  const to = new Int32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const strong = !ignored.has(s.edges[e * edgeWidth + edgeAt("type")]);
    to[e] = strong ? s.edges[e * edgeWidth + edgeAt("to_node")] / nodeWidth : -1;
  }
  /** The name of the edge from node x to node y (a property, a variable, [index]), if there is one. */
  const edgeName = (x: number, y: number): string => {
    for (let e = firstEdge[x]; e < firstEdge[x + 1]; e++) {
      if (to[e] !== y) continue;
      const name = s.edges[e * edgeWidth + edgeAt("name_or_index")];
      return indexed.has(s.edges[e * edgeWidth + edgeAt("type")]) ? "[]" : s.strings[name];
    }
    return "…";
  };
  return { n, kinds, kind, size, firstEdge, to, edgeName };
}

/**
 * Immediate dominators and retained sizes. Works in depth-first numbering: `order[k]` is the
 * node numbered k, `idom[k]` the number of its dominator (always smaller than k).
 */
function dominators({ n, firstEdge, to, size }: Snapshot) {
  const number = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  const parent = new Int32Array(n);
  const stack = new Int32Array(n);
  const nextEdge = new Uint32Array(n);
  let count = 0;
  let depth = 0;
  number[0] = count;
  order[count++] = 0;
  stack[depth] = 0;
  nextEdge[depth++] = firstEdge[0];
  while (depth > 0) {
    const x = stack[depth - 1];
    let e = nextEdge[depth - 1];
    while (e < firstEdge[x + 1] && (to[e] < 0 || number[to[e]] >= 0)) e++;
    if (e === firstEdge[x + 1]) {
      depth--;
      continue;
    }
    nextEdge[depth - 1] = e + 1;
    const y = to[e];
    number[y] = count;
    parent[count] = number[x];
    order[count++] = y;
    stack[depth] = y;
    nextEdge[depth++] = firstEdge[y];
  }
  // Predecessors, by number.
  const predStart = new Uint32Array(count + 1);
  const eachEdge = (visit: (v: number, w: number) => void) => {
    for (let k = 0; k < count; k++) {
      const x = order[k];
      for (let e = firstEdge[x]; e < firstEdge[x + 1]; e++) if (to[e] >= 0) visit(k, number[to[e]]);
    }
  };
  eachEdge((_, w) => predStart[w + 1]++);
  for (let k = 0; k < count; k++) predStart[k + 1] += predStart[k];
  const preds = new Int32Array(predStart[count]);
  const fill = predStart.slice(0, count);
  eachEdge((v, w) => {
    preds[fill[w]++] = v;
  });

  const semi = new Int32Array(count);
  const label = new Int32Array(count);
  const ancestor = new Int32Array(count).fill(-1);
  const idom = new Int32Array(count);
  const bucketHead = new Int32Array(count).fill(-1);
  const bucketNext = new Int32Array(count);
  const path = new Int32Array(count);
  for (let k = 0; k < count; k++) semi[k] = label[k] = k;
  const evaluate = (v: number): number => {
    if (ancestor[v] < 0) return v;
    let length = 0;
    for (let x = v; ancestor[ancestor[x]] >= 0; x = ancestor[x]) path[length++] = x;
    for (let k = length - 1; k >= 0; k--) {
      const y = path[k];
      const a = ancestor[y];
      if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
      ancestor[y] = ancestor[a];
    }
    return label[v];
  };
  for (let w = count - 1; w >= 1; w--) {
    for (let p = predStart[w]; p < predStart[w + 1]; p++)
      semi[w] = Math.min(semi[w], semi[evaluate(preds[p])]);
    bucketNext[w] = bucketHead[semi[w]];
    bucketHead[semi[w]] = w;
    const pw = parent[w];
    ancestor[w] = pw;
    for (let v = bucketHead[pw]; v >= 0; v = bucketNext[v]) {
      const u = evaluate(v);
      idom[v] = semi[u] < semi[v] ? u : pw;
    }
    bucketHead[pw] = -1;
  }
  for (let w = 1; w < count; w++) if (idom[w] !== semi[w]) idom[w] = idom[idom[w]];
  const retained = new Float64Array(count);
  for (let k = 0; k < count; k++) retained[k] = size[order[k]];
  for (let k = count - 1; k >= 1; k--) retained[idom[k]] += retained[k];
  return { count, order, idom, retained };
}

/** Bytes and objects per holder group, and the kinds each group is made of. */
function holdersOf(snapshot: Snapshot): Map<string, Group> {
  const { count, order, idom, retained } = dominators(snapshot);
  const { kinds, kind, size, edgeName } = snapshot;
  // A shared object named by where it sits: `array (table of object Map (subscriptions of …))`.
  const place = (k: number, levels: number): string => {
    if (k === 0) return "the roots (more than one path)";
    const name = kinds[kind[order[k]]];
    if (levels === 0) return name;
    return `${name} (${edgeName(order[idom[k]], order[k])} of ${place(idom[k], levels - 1)})`;
  };
  // holder[k]: the number of the last object below a shared one on k's dominator chain (-1 for
  // shared objects and the roots themselves).
  const holder = new Int32Array(count).fill(-1);
  for (let k = 1; k < count; k++) {
    if (retained[k] > SHARED_BYTES) continue;
    holder[k] = retained[idom[k]] > SHARED_BYTES ? k : holder[idom[k]];
  }
  const groups = new Map<string, Group>();
  for (let k = 1; k < count; k++) {
    const h = holder[k];
    const name =
      h < 0
        ? "(shared objects themselves: maps' tables, lists, the roots)"
        : `${kinds[kind[order[h]]]} in ${place(idom[h], 2)}`;
    const g = groups.get(name) ?? { holders: 0, bytes: 0, kinds: new Map() };
    if (h === k) g.holders++;
    g.bytes += size[order[k]];
    const kindName = kinds[kind[order[k]]];
    g.kinds.set(kindName, (g.kinds.get(kindName) ?? 0) + size[order[k]]);
    groups.set(name, g);
  }
  return groups;
}

function kindsOf({ n, kinds, kind, size }: Snapshot) {
  const byKind = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < n; i++) {
    const k = byKind.get(kinds[kind[i]]) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += size[i];
    byKind.set(kinds[kind[i]], k);
  }
  return byKind;
}

/** What `count` added things cost each, from snapshots before and after they were added. */
export async function compareSnapshots(
  before: string,
  after: string,
  count: number,
  top = 12,
): Promise<SnapshotComparison> {
  const a = await readSnapshot(before);
  const [holdersA, kindsA] = [holdersOf(a), kindsOf(a)];
  const b = await readSnapshot(after);
  const [holdersB, kindsB] = [holdersOf(b), kindsOf(b)];
  const holders = [...holdersB]
    .map(([holder, g]) => {
      const was = holdersA.get(holder);
      return {
        holder,
        holdersPerWorkflow: (g.holders - (was?.holders ?? 0)) / count,
        bytesPerWorkflow: (g.bytes - (was?.bytes ?? 0)) / count,
        madeOf: [...g.kinds]
          .map(([k, bytes]) => ({ kind: k, bytesPerWorkflow: (bytes - (was?.kinds.get(k) ?? 0)) / count }))
          .sort((x, y) => y.bytesPerWorkflow - x.bytesPerWorkflow)
          .slice(0, 6),
      };
    })
    .sort((x, y) => y.bytesPerWorkflow - x.bytesPerWorkflow);
  const kinds = [...kindsB]
    .map(([k, { count: objects, bytes }]) => ({
      kind: k,
      countPerWorkflow: (objects - (kindsA.get(k)?.count ?? 0)) / count,
      bytesPerWorkflow: (bytes - (kindsA.get(k)?.bytes ?? 0)) / count,
    }))
    .sort((x, y) => y.bytesPerWorkflow - x.bytesPerWorkflow);
  const total = kinds.reduce((sum, k) => sum + k.bytesPerWorkflow, 0);
  return { bytesPerWorkflow: total, holders: holders.slice(0, top), kinds: kinds.slice(0, top) };
}
