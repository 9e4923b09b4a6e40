// Scenarios: what the server serves, with status, version and diagnostics, live.

import { h, fill, table } from "./dom.js";

/** Mounts the view in `root`. */
export function mountScenarios(root, studio) {
  const list = h("div", { id: "scenario-list" });
  const diagnostics = h("div", { id: "catalog-diagnostics" });
  const version = h("p", { class: "muted", id: "catalog-version" });
  fill(root, h("h2", {}, "Scenarios"), version, list, h("h3", {}, "Diagnostics"), diagnostics);
  studio.onCatalog(() => {
    version.textContent = studio.version
      ? `Catalog version ${studio.version}${studio.reloads ? ` · reloaded ${studio.reloads}×` : ""}`
      : "Loading…";
    const rows = studio.scenarios.map((s) => {
      const row = h("tr", { "data-id": s.id },
        h("td", {}, h("code", {}, s.id)),
        h("td", {}, s.title ?? "—"),
        h("td", {}, s.difficulty ?? "—"),
        h("td", {}, h("span", { class: `status ${s.status}` }, s.status)),
        h("td", {}, h("code", {}, s.version ?? "—")),
        h("td", {}, s.cases ?? "—"),
        h("td", { class: "actions" },
          h("button", { type: "button", disabled: !s.version, on: { click: () => studio.go("graph", s.id) } }, "Graph"),
          h("button", { type: "button", on: { click: () => studio.go("editor", s.id) } }, "Edit"),
          h("button", { type: "button", disabled: !s.version, on: { click: () => studio.go("play", s.id) } }, "Play")));
      return row;
    });
    fill(list, table(["Id", "Title", "Tier", "Status", "Version", "Cases", ""], rows, { class: "scenarios" }));
    fill(diagnostics, studio.diagnostics.length
      ? diagnosticList(studio.diagnostics)
      : h("p", { class: "muted" }, "None: every scenario checks clean."));
  });
  return {};
}

/** A list of diagnostics: code, place, message and help. */
export function diagnosticList(items, onPick) {
  return h("ul", { class: "diagnostics" }, items.map((d) => {
    // The last two parts of the path: enough to tell the files of a scenario apart.
    const place = `${d.file.split("/").slice(-2).join("/")}:${d.line}:${d.column}`;
    const head = onPick
      ? h("button", { type: "button", class: "link", on: { click: () => onPick(d) } }, place)
      : h("code", {}, place);
    return h("li", { class: d.severity },
      h("span", { class: "code" }, d.code), " ", head, " ",
      h("span", { class: "message" }, d.message),
      (d.labels || []).filter((l) => l.message).map((l) => h("div", { class: "label" }, `${l.line}:${l.column} ${l.message}`)),
      d.help ? h("div", { class: "help" }, "help: ", d.help) : null);
  }));
}
