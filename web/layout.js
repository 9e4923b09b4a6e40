// A layered ("Sugiyama") layout of a directed graph, left to right, small enough to read:
// cycles are broken by reversing the back edges a depth-first search finds, each node's layer is
// its longest path from a source, and a few barycentre sweeps order each layer to cut crossings.

/**
 * Lays out `nodes` (`{id, width, height}`) joined by `edges` (`{from, to}`): each node gets
 * `x`, `y` (its top left) and `layer`; returns `{width, height}` of the drawing.
 */
export function layered(nodes, edges, { gapX = 80, gapY = 14, sweeps = 6 } = {}) {
  const byId = new Map(nodes.map((n, i) => [n.id, { node: n, index: i, out: [], in: [] }]));
  for (const e of edges) {
    if (e.from === e.to || !byId.has(e.from) || !byId.has(e.to)) continue;
    byId.get(e.from).out.push(e.to);
  }
  // Back edges of a depth-first search, reversed, leave a DAG.
  const colour = new Map();
  const forward = [];
  const visit = (id) => {
    colour.set(id, "grey");
    for (const to of byId.get(id).out) {
      if (colour.get(to) === "grey") forward.push([to, id]);
      else {
        forward.push([id, to]);
        if (!colour.has(to)) visit(to);
      }
    }
    colour.set(id, "black");
  };
  for (const n of nodes) if (!colour.has(n.id)) visit(n.id);
  for (const [from, to] of forward) byId.get(to).in.push(from);
  // Longest path from a source, in topological order (Kahn).
  const layer = new Map();
  const pending = new Map(nodes.map((n) => [n.id, byId.get(n.id).in.length]));
  const ready = nodes.filter((n) => pending.get(n.id) === 0).map((n) => n.id);
  const next = new Map(nodes.map((n) => [n.id, []]));
  for (const [from, to] of forward) next.get(from).push(to);
  while (ready.length) {
    const id = ready.shift();
    const mine = Math.max(-1, ...byId.get(id).in.map((p) => layer.get(p))) + 1;
    layer.set(id, mine);
    for (const to of next.get(id)) {
      pending.set(to, pending.get(to) - 1);
      if (pending.get(to) === 0) ready.push(to);
    }
  }
  const layers = [];
  for (const n of nodes) {
    const l = layer.get(n.id) ?? 0;
    n.layer = l;
    (layers[l] ||= []).push(n.id);
  }
  // Barycentre sweeps: down by predecessors, up by successors.
  const position = new Map();
  const place = () => layers.forEach((ids) => ids.forEach((id, i) => position.set(id, i)));
  place();
  const centre = (ids, fallback) => ids.length ? ids.reduce((s, id) => s + position.get(id), 0) / ids.length : fallback;
  for (let sweep = 0; sweep < sweeps; sweep += 1) {
    const down = sweep % 2 === 0;
    const order = down ? layers.keys() : [...layers.keys()].reverse();
    for (const l of order) {
      const ids = layers[l] || [];
      const score = new Map(ids.map((id) => [id, centre(down ? byId.get(id).in : next.get(id), position.get(id))]));
      ids.sort((a, b) => score.get(a) - score.get(b) || position.get(a) - position.get(b));
      ids.forEach((id, i) => position.set(id, i));
    }
  }
  // Coordinates: a column per layer, as wide as its widest node; nodes stacked and centred.
  let x = 0;
  let height = 0;
  const columns = layers.map((ids) => {
    const width = Math.max(...ids.map((id) => byId.get(id).node.width));
    const total = ids.reduce((s, id) => s + byId.get(id).node.height + gapY, -gapY);
    height = Math.max(height, total);
    const column = { x, width, total, ids };
    x += width + gapX;
    return column;
  });
  for (const c of columns) {
    let y = (height - c.total) / 2;
    for (const id of c.ids) {
      const node = byId.get(id).node;
      Object.assign(node, { x: c.x + (c.width - node.width) / 2, y });
      y += node.height + gapY;
    }
  }
  return { width: Math.max(0, x - gapX), height };
}
