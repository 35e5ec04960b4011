/**
 * Turns the server's xray graph (`client.assistants.getGraph(id, { xray: true })`,
 * subgraph nodes named `parent:child`) into what the page draws: visible nodes
 * with each collapsed subgraph as one node, the expanded ones as clusters,
 * and the edges between visible nodes. Free of DOM so jest can test it.
 */

export interface ApiGraph {
  nodes: Array<{ id: string | number; data?: unknown }>;
  edges: Array<{ source: string | number; target: string | number; conditional?: boolean }>;
}

export interface VisibleNode {
  id: string;
  label: string;
  /** A collapsed subgraph, drawn as one node that expands on click. */
  subgraph: boolean;
  /** The expanded subgraph this node is drawn inside, if any. */
  parent?: string;
  /** `__start__` / `__end__` markers. */
  terminal: boolean;
}

export interface VisibleEdge {
  source: string;
  target: string;
  conditional: boolean;
}

export interface GraphModel {
  nodes: VisibleNode[];
  /** Expanded subgraphs (cluster boxes), with their parent cluster. */
  clusters: Array<{ id: string; label: string; parent?: string }>;
  edges: VisibleEdge[];
}

/** The subgraph prefixes of a node id: `a:b:c` → `a`, `a:b`. */
function prefixes(id: string): string[] {
  const parts = id.split(":");
  return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join(":"));
}

export function subgraphIds(graph: ApiGraph): string[] {
  const ids = new Set<string>();
  for (const node of graph.nodes) for (const prefix of prefixes(String(node.id))) ids.add(prefix);
  return [...ids];
}

/** The id a node is drawn as: itself, or its outermost collapsed subgraph. */
export function visibleIdOf(id: string, expanded: ReadonlySet<string>): string {
  for (const prefix of prefixes(id)) if (!expanded.has(prefix)) return prefix;
  return id;
}

const lastSegment = (id: string): string => id.split(":").at(-1) ?? id;

export function buildGraphModel(graph: ApiGraph, expanded: ReadonlySet<string>): GraphModel {
  const nodes = new Map<string, VisibleNode>();
  const clusters = new Map<string, { id: string; label: string; parent?: string }>();
  const parentOf = (id: string): string | undefined =>
    prefixes(id).filter((prefix) => expanded.has(prefix)).at(-1);

  for (const raw of graph.nodes) {
    const id = String(raw.id);
    const visible = visibleIdOf(id, expanded);
    for (const prefix of prefixes(visible)) {
      const parent = parentOf(prefix);
      clusters.set(prefix, { id: prefix, label: lastSegment(prefix), ...(parent !== undefined && { parent }) });
    }
    if (nodes.has(visible)) continue;
    const label = lastSegment(visible);
    const parent = parentOf(visible);
    nodes.set(visible, {
      id: visible,
      label,
      subgraph: visible !== id,
      terminal: label === "__start__" || label === "__end__",
      ...(parent !== undefined && { parent }),
    });
  }

  const edges = new Map<string, VisibleEdge>();
  for (const raw of graph.edges) {
    const source = visibleIdOf(String(raw.source), expanded);
    const target = visibleIdOf(String(raw.target), expanded);
    if (source === target) continue;
    const key = `${source}->${target}`;
    const conditional = raw.conditional === true;
    const existing = edges.get(key);
    edges.set(key, { source, target, conditional: existing ? existing.conditional && conditional : conditional });
  }
  return { nodes: [...nodes.values()], clusters: [...clusters.values()], edges: [...edges.values()] };
}

/** Whether a visible node is running: it, or a node inside it when collapsed. */
export function isActive(visibleId: string, activeNodes: readonly string[]): boolean {
  return activeNodes.some((active) => active === visibleId || active.startsWith(`${visibleId}:`));
}
