// Editor: a scenario's `.shop` file and its case data, checked by the server (`POST /check`) as
// the author types (debounced), with every diagnostic marked at its span and listed with its
// help beside the text. Saving (`POST /save`) works only on a server started with
// `--allow-save`; `--watch` then reloads, and the page says so when the new version is served.

import { h, fill, debounce } from "./dom.js";
import { get, post, detail } from "./api.js";
import { diagnosticList } from "./scenarios.js";

/** A text area over a layer that marks spans, with line numbers. */
function codeArea(id, labelText) {
  const gutter = h("pre", { class: "gutter", "aria-hidden": "true" });
  const marks = h("pre", { class: "marks", "aria-hidden": "true" });
  const text = h("textarea", { id, spellcheck: "false", autocomplete: "off", wrap: "off", "aria-describedby": "editor-diagnostics" });
  const box = h("div", { class: "code-box" }, gutter, h("div", { class: "layers" }, marks, text));
  const area = {
    element: h("div", { class: "code-area" }, h("label", { for: id }, labelText), box),
    text, path: null,
    /** Marks `spans` (`{line, column, end_line, end_column, severity}`), 1-based. */
    mark(spans) {
      const lines = text.value.split("\n");
      const flagged = new Map(spans.map((s) => [s.line, s.severity]));
      fill(gutter, lines.map((_, i) => h("span", { class: flagged.get(i + 1) || null, title: flagged.has(i + 1) ? "diagnostic on this line" : null }, `${i + 1}\n`)));
      const offset = (line, column) => lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0) + column - 1;
      const ranges = spans.map((s) => ({ ...s, from: offset(s.line, s.column), to: Math.max(offset(s.line, s.column) + 1, offset(s.end_line ?? s.line, s.end_column ?? s.column + 1)) }))
        .sort((a, b) => a.from - b.from);
      const parts = [];
      let at = 0;
      for (const r of ranges) {
        if (r.from < at) continue;
        parts.push(text.value.slice(at, r.from), h("mark", { class: r.severity }, text.value.slice(r.from, r.to) || " "));
        at = r.to;
      }
      parts.push(text.value.slice(at), "\n");
      fill(marks, parts);
      sync();
    },
    /** Selects the span of `label` and scrolls to it. */
    reveal(label) {
      const lines = text.value.split("\n");
      const from = lines.slice(0, label.line - 1).reduce((s, l) => s + l.length + 1, 0) + label.column - 1;
      text.focus();
      text.setSelectionRange(from, from + Math.max(1, label.length ?? 1));
      text.scrollTop = Math.max(0, (label.line - 5) * 18);
      sync();
    },
  };
  function sync() {
    marks.scrollTop = text.scrollTop;
    marks.scrollLeft = text.scrollLeft;
    gutter.scrollTop = text.scrollTop;
  }
  text.addEventListener("scroll", sync);
  return area;
}

/** Mounts the view in `root`. */
export function mountEditor(root, studio) {
  const pick = h("select", { id: "editor-scenario", name: "scenario" });
  const shop = codeArea("editor-shop", "Scenario (.shop)");
  const data = codeArea("editor-data", "Case data (YAML)");
  const status = h("p", { id: "editor-status", class: "muted", role: "status" });
  const list = h("div", { id: "editor-diagnostics", class: "panel" });
  const saveButton = h("button", { type: "button", id: "editor-save", class: "primary", on: { click: save } }, "Save");
  const saved = h("p", { id: "editor-saved", role: "status" });
  fill(root, h("h2", {}, "Editor"),
    h("div", { class: "controls" }, h("label", { for: "editor-scenario" }, "Scenario"), pick, saveButton,
      h("span", { class: "muted" }, "Saving needs ", h("code", {}, "serve --watch --allow-save"), " (trusted local use).")),
    status, saved,
    h("div", { class: "editor-grid" }, h("div", { class: "sources" }, shop.element, data.element), h("div", {}, h("h3", {}, "Diagnostics"), list)));
  let current = null;
  let checked = 0;
  let savedVersion = null;

  pick.addEventListener("change", () => studio.go("editor", pick.value));
  studio.onCatalog(() => {
    const chosen = current || pick.value;
    fill(pick, studio.scenarios.map((s) => h("option", { value: s.id }, s.id)));
    if (chosen) pick.value = chosen;
    const entry = studio.scenarios.find((s) => s.id === current);
    if (savedVersion !== null && entry && entry.version !== savedVersion) {
      saved.textContent = `Reloaded: ${current} is now served at version ${entry.version} (was ${savedVersion}).`;
      saved.className = "ok";
      savedVersion = null;
    }
  });

  async function load(id) {
    current = id;
    pick.value = id;
    const answer = await get(`scenarios/${encodeURIComponent(id)}/source`);
    if (!answer.ok) return (status.textContent = detail(answer));
    const files = answer.body.files;
    const own = files.find((f) => f.path.endsWith(`${id}.shop`)) || files.find((f) => f.path.endsWith(".shop"));
    const yaml = files.find((f) => /\.ya?ml$/.test(f.path));
    shop.text.value = own ? own.text : "";
    shop.path = own?.path ?? null;
    data.text.value = yaml ? yaml.text : "";
    data.path = yaml?.path ?? null;
    shop.element.querySelector("label").textContent = `Scenario: ${shop.path ?? "(none)"}`;
    data.element.querySelector("label").textContent = `Case data: ${data.path ?? "(none)"}`;
    check();
  }

  async function check() {
    const ticket = ++checked;
    status.textContent = "Checking…";
    const answer = await post("check", { name: current, source: shop.text.value, data: data.text.value || null });
    if (ticket !== checked) return;
    if (!answer.ok) {
      status.textContent = `Check failed: ${detail(answer)}`;
      return;
    }
    const diagnostics = answer.body;
    const total = answer.headers.get("x-diagnostics-total") ?? diagnostics.length;
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    status.textContent = total === 0 || total === "0" ? "Checks clean." : `${total} diagnostics (${errors} errors listed).`;
    const spansIn = (area) => diagnostics.flatMap((d) => (d.labels?.length ? d.labels : [d]).filter((l) => area.path && sameFile(l.file, area.path)).map((l) => ({ ...l, severity: d.severity })));
    shop.mark(spansIn(shop));
    data.mark(spansIn(data));
    fill(list, diagnostics.length ? diagnosticList(diagnostics, (d) => {
      const area = [shop, data].find((a) => a.path && sameFile(d.file, a.path));
      if (area) area.reveal(d.labels?.find((l) => sameFile(l.file, area.path)) || d);
    }) : h("p", { class: "muted" }, "No diagnostics."));
  }

  const later = debounce(check, 400);
  shop.text.addEventListener("input", later);
  data.text.addEventListener("input", later);

  async function save() {
    const entry = studio.scenarios.find((s) => s.id === current);
    savedVersion = entry?.version ?? "none";
    saved.className = "";
    saved.textContent = "Saving…";
    for (const area of [shop, data].filter((a) => a.path)) {
      const answer = await post("save", { path: area.path, text: area.text.value });
      if (!answer.ok) {
        savedVersion = null;
        saved.className = "error";
        saved.textContent = `Not saved: ${detail(answer)}`;
        return;
      }
    }
    saved.textContent = "Saved; waiting for the server to reload…";
  }

  return { show(id) { if (id) load(id); else if (!current && pick.value) load(pick.value); } };
}

/** Whether two paths name the same file (one may be relative to the other's directory). */
function sameFile(a, b) {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}
