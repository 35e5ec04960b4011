import dagre from "@dagrejs/dagre";
import { useMemo } from "react";
import { buildGraphModel, isActive, type ApiGraph } from "../lib/graph-model.js";

const NODE_WIDTH = 112;
const NODE_HEIGHT = 34;
const TERMINAL_WIDTH = 76;
const CLUSTER_PADDING = 18;

interface Props {
  graph: ApiGraph;
  expanded: ReadonlySet<string>;
  activeNodes: readonly string[];
  onToggle: (subgraphId: string) => void;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The assistant's graph laid out with dagre; the running nodes are highlighted. */
export function GraphView({ graph, expanded, activeNodes, onToggle }: Props) {
  const layout = useMemo(() => {
    const model = buildGraphModel(graph, expanded);
    const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
    g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 34, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const cluster of model.clusters) {
      g.setNode(cluster.id, { label: cluster.label, paddingTop: CLUSTER_PADDING });
    }
    for (const cluster of model.clusters) if (cluster.parent) g.setParent(cluster.id, cluster.parent);
    for (const node of model.nodes) {
      g.setNode(node.id, {
        label: node.label,
        width: node.terminal ? TERMINAL_WIDTH : NODE_WIDTH,
        height: NODE_HEIGHT,
      });
      if (node.parent) g.setParent(node.id, node.parent);
    }
    for (const edge of model.edges) g.setEdge(edge.source, edge.target);
    dagre.layout(g);
    const box = (id: string): Box => {
      const { x = 0, y = 0, width = 0, height = 0 } = g.node(id) ?? {};
      return { x, y, width, height };
    };
    const size = g.graph();
    return {
      model,
      box,
      points: (source: string, target: string): Array<{ x: number; y: number }> =>
        g.edge(source, target)?.points ?? [],
      width: Math.max(size.width ?? 0, 120),
      height: Math.max(size.height ?? 0, 60),
    };
  }, [graph, expanded]);

  const { model, box, points, width, height } = layout;
  return (
    <svg
      className="graph"
      data-testid="graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Graph of the assistant"
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M 0 0 L 10 5 L 0 10 z" className="arrow-head" />
        </marker>
      </defs>
      {model.clusters.map((cluster) => {
        const b = box(cluster.id);
        return (
          <g key={cluster.id} className="cluster" data-cluster-id={cluster.id}>
            <rect x={b.x - b.width / 2} y={b.y - b.height / 2} width={b.width} height={b.height} rx={8} />
            <text
              x={b.x - b.width / 2 + 8}
              y={b.y - b.height / 2 + 13}
              className="cluster-label"
              onClick={() => onToggle(cluster.id)}
            >
              ▾ {cluster.label}
            </text>
          </g>
        );
      })}
      {model.edges.map((edge) => {
        const path = points(edge.source, edge.target)
          .map((point, index) => `${index === 0 ? "M" : "L"} ${point.x} ${point.y}`)
          .join(" ");
        return (
          <path
            key={`${edge.source}->${edge.target}`}
            d={path}
            className={edge.conditional ? "edge conditional" : "edge"}
            markerEnd="url(#arrow)"
          />
        );
      })}
      {model.nodes.map((node) => {
        const b = box(node.id);
        const active = isActive(node.id, activeNodes);
        const classes = ["node", node.terminal && "terminal", node.subgraph && "subgraph", active && "active"]
          .filter(Boolean)
          .join(" ");
        return (
          <g
            key={node.id}
            className={classes}
            data-node-id={node.id}
            data-active={active ? "true" : "false"}
            onClick={node.subgraph ? () => onToggle(node.id) : undefined}
          >
            <title>{node.subgraph ? `${node.id} (subgraph: click to expand)` : node.id}</title>
            <rect x={b.x - b.width / 2} y={b.y - b.height / 2} width={b.width} height={b.height} rx={node.terminal ? 17 : 6} />
            <text x={b.x} y={b.y + 4} textAnchor="middle">
              {node.subgraph ? `▸ ${node.label}` : node.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
