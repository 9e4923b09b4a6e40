// Graph: a scenario's compiled dependency graph drawn with the layered layout of layout.js.
// Clicking (or Enter on) a node shows its declaration, the source lines it came from and what
// it gates, clears, schedules or completes. The grade components are listed beside it with
// their weights: the grade reads every case's end state, so they have no edges of their own.

import { h, svg, fill } from "./dom.js";
import { get, detail } from "./api.js";
import { layered } from "./layout.js";

const KINDS = ["step", "action", "event", "blocker", "check", "response", "case"];
const EDGE_KINDS = ["schedules", "clears", "gates", "completes", "requests", "delivers", "needed_by"];
/** The keyword that declares a node of a kind in a `.shop` file. */
const KEYWORD = { action: "action", event: "event", blocker: "blocker", check: "check", response: "response" };

const key = (n) => `${n.kind}:${n.name ?? ""}`;
const label = (n) => n.kind === "step" ? "every step" : n.name;

/** Mounts the view in `root`. */
export function mountGraph(root, studio) {
  const pick = h("select", { id: "graph-scenario", name: "scenario" });
  const picture = h("div", { id: "graph-picture", class: "graph-picture" });
  const info = h("aside", { id: "graph-node", class: "panel", "aria-live": "polite" }, h("p", { class: "muted" }, "Click a node (or Tab to it and press Enter)."));
  const legend = h("p", { class: "legend" },
    KINDS.map((k) => h("span", { class: `swatch node-${k}` }, k)), " · edges: ",
    EDGE_KINDS.map((k) => h("span", { class: `edge-key edge-${k}` }, k.replace("_", " "))));
  const grade = h("p", { id: "graph-grade", class: "legend" });
  fill(root, h("h2", {}, "Graph"),
    h("div", { class: "controls" }, h("label", { for: "graph-scenario" }, "Scenario"), pick), legend, grade,
    h("div", { class: "graph-grid" }, picture, info));
  let current = null;
  let sources = [];

  pick.addEventListener("change", () => studio.go("graph", pick.value));
  studio.onCatalog(() => {
    const chosen = current || pick.value;
    fill(pick, studio.scenarios.filter((s) => s.version).map((s) => h("option", { value: s.id }, s.id)));
    if (chosen) pick.value = chosen;
    if (current) load(current);
  });

  async function load(id) {
    current = id;
    pick.value = id;
    const path = `scenarios/${encodeURIComponent(id)}`;
    const [graph, source, declared] = await Promise.all([get(`${path}/graph?format=json`), get(`${path}/source`), get(path)]);
    if (!graph.ok) return fill(picture, h("p", { class: "error" }, detail(graph)));
    const weights = declared.ok ? Object.entries(declared.body.grade_components ?? {}) : [];
    fill(grade, "grade components: ", weights.map(([name, weight]) => h("span", { class: "swatch" }, `${name} ${weight}`)));
    sources = source.ok ? source.body.files : [];
    draw(graph.body);
  }

  function draw({ nodes, edges }) {
    const boxes = nodes.map((n) => ({ id: key(n), n, width: 24 + 7.2 * label(n).length, height: 26 }));
    const links = edges.map((e) => ({ from: key(e.from), to: key(e.to), kind: e.kind }));
    const size = layered(boxes, links);
    const at = new Map(boxes.map((b) => [b.id, b]));
    const paths = links.filter((l) => at.has(l.from) && at.has(l.to)).map((l) => {
      const a = at.get(l.from);
      const b = at.get(l.to);
      const [x1, y1, x2, y2] = [a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2];
      const bend = Math.max(40, Math.abs(x2 - x1) / 2);
      const d = x2 > x1
        ? `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`
        : `M${x1},${y1} C${x1 + 80},${y1 - 60} ${x2 - 80},${y2 - 60} ${x2},${y2}`;
      return svg("path", { d, class: `edge edge-${l.kind}`, "data-from": l.from, "data-to": l.to, "marker-end": "url(#arrow)" },
        svg("title", {}, `${l.from} ${l.kind} ${l.to}`));
    });
    const shapes = boxes.map((b) => svg("g", {
      class: `node node-${b.n.kind}`, transform: `translate(${b.x},${b.y})`, tabindex: 0, role: "button",
      "data-node": b.id, "aria-label": `${b.n.kind} ${label(b.n)}`,
      on: {
        click: () => select(b, nodes, edges),
        keydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(b, nodes, edges); } },
      },
    }, svg("rect", { width: b.width, height: b.height, rx: 6 }), svg("text", { x: b.width / 2, y: 17, "text-anchor": "middle" }, label(b.n))));
    const pad = 16;
    fill(picture, svg("svg", {
      viewBox: `${-pad} ${-pad} ${size.width + 2 * pad} ${size.height + 2 * pad}`,
      width: size.width + 2 * pad, height: size.height + 2 * pad, role: "img", "aria-label": `dependency graph of ${current}`,
    },
    svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))),
    svg("g", { class: "edges" }, paths), svg("g", { class: "nodes" }, shapes)));
  }

  function select(box, nodes, edges) {
    const id = box.id;
    for (const g of picture.querySelectorAll(".node")) g.classList.toggle("selected", g.dataset.node === id);
    for (const p of picture.querySelectorAll(".edge")) p.classList.toggle("lit", p.dataset.from === id || p.dataset.to === id);
    const out = edges.filter((e) => key(e.from) === id);
    const into = edges.filter((e) => key(e.to) === id);
    const jump = (n) => h("button", { type: "button", class: "link", on: { click: () => {
      const g = picture.querySelector(`[data-node="${CSS.escape(key(n))}"]`);
      if (g) { g.focus(); g.dispatchEvent(new Event("click")); }
    } } }, `${n.kind} ${label(n)}`);
    const group = (list, end, verb) => EDGE_KINDS.map((k) => {
      const items = list.filter((e) => e.kind === k);
      return items.length ? h("li", {}, h("b", {}, verb(k)), " ", items.map((e, i) => [i ? ", " : "", jump(e[end])])) : null;
    });
    const declaration = findDeclaration(box.n, sources);
    fill(info,
      h("h3", {}, `${box.n.kind} `, h("code", {}, label(box.n))),
      h("h4", {}, "Out (what it does)"), out.length ? h("ul", {}, group(out, "to", (k) => k.replace("_", " "))) : h("p", { class: "muted" }, "nothing"),
      h("h4", {}, "In (what acts on it)"), into.length ? h("ul", {}, group(into, "from", (k) => `${k.replace("_", " ")} by`)) : h("p", { class: "muted" }, "nothing"),
      h("h4", {}, "Declared at"),
      declaration
        ? [h("p", {}, h("code", { id: "graph-node-place" }, `${declaration.path}:${declaration.line}`)),
          h("pre", { class: "source" }, declaration.lines.map((text, i) => h("span", { class: "line" }, h("span", { class: "gutter" }, String(declaration.line + i)), text, "\n")))]
        : h("p", { class: "muted" }, box.n.kind === "step" ? "built in: every step" : "not found in the served files"));
  }

  return { show(id) { if (id) load(id); else if (!current && pick.value) load(pick.value); } };
}

/**
 * Where a node is declared in `files` (`{path, text}`): its `.shop` block (`blocker name { … }`,
 * up to its closing brace) or, for a case, its entry in the case data. Found by text, as the
 * graph carries no spans.
 */
export function findDeclaration(node, files) {
  const name = node.name ?? "";
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = node.kind === "case"
    ? new RegExp(`^\\s*-?\\s*(id|case_id):\\s*["']?${escaped}["']?\\s*$`)
    : KEYWORD[node.kind] ? new RegExp(`^\\s*${KEYWORD[node.kind]}\\s+${escaped}\\b`) : null;
  if (!pattern) return null;
  // The scenario's own files first, the shared prelude last.
  const ordered = [...files].sort((a, b) => a.path.includes("prelude") - b.path.includes("prelude"));
  for (const file of ordered) {
    const lines = file.text.split("\n");
    const start = lines.findIndex((l) => pattern.test(l));
    if (start < 0) continue;
    let end = start;
    if (node.kind === "case") {
      const indent = lines[start].search(/\S/);
      while (end + 1 < lines.length && end - start < 30 && (lines[end + 1].trim() === "" || lines[end + 1].search(/\S/) > indent)) end += 1;
    } else {
      let depth = 0;
      for (let i = start; i < lines.length && i - start < 40; i += 1) {
        depth += (lines[i].match(/{/g) || []).length - (lines[i].match(/}/g) || []).length;
        end = i;
        if (depth <= 0 && (i > start || !lines[i].includes("{"))) break;
      }
    }
    return { path: file.path, line: start + 1, lines: lines.slice(start, end + 1) };
  }
  return null;
}
