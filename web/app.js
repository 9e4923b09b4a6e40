// The studio's shell: the views, switched by the URL's fragment (`#play`, `#graph/<id>`), and
// the catalog every view shares, refreshed when the server says it reloaded (`GET /events`).

import { get } from "./api.js";
import { mountScenarios } from "./scenarios.js";
import { mountGraph } from "./graph.js";
import { mountEditor } from "./editor.js";
import { mountPlay } from "./play.js";
import { mountInspect } from "./inspect.js";

/** What the views share: the catalog, its listeners, and navigation. */
const studio = {
  scenarios: [],
  diagnostics: [],
  version: null,
  reloads: 0,
  listeners: [],
  views: {},
  /** Calls `listener(studio)` now and after every catalog change. */
  onCatalog(listener) {
    this.listeners.push(listener);
    listener(this);
  },
  /** Shows a view with an argument (`go("graph", "refund_policy_recovery")`). */
  go(view, arg) {
    location.hash = arg ? `${view}/${encodeURIComponent(arg)}` : view;
  },
  /** Announces `text` in the status line. */
  say(text) {
    document.getElementById("live").textContent = text;
  },
};

async function refresh(version) {
  const [scenarios, diagnostics] = await Promise.all([get("scenarios"), get("diagnostics")]);
  if (!scenarios.ok || !diagnostics.ok) return studio.say("cannot read the scenarios from the server");
  const previous = studio.version;
  Object.assign(studio, { scenarios: scenarios.body, diagnostics: diagnostics.body, version });
  if (previous !== null && previous !== version) {
    studio.reloads += 1;
    studio.say(`Reloaded: catalog ${previous} → ${version} at ${new Date().toLocaleTimeString()}`);
  }
  for (const listener of studio.listeners) listener(studio);
}

function route() {
  const [view, arg] = (location.hash.slice(1) || "scenarios").split("/");
  const name = view in studio.views ? view : "scenarios";
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.dataset.view === name);
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
  }
  for (const [key, mounted] of Object.entries(studio.views)) {
    document.getElementById(`view-${key}`).hidden = key !== name;
    if (key === name && mounted.show) mounted.show(arg ? decodeURIComponent(arg) : null);
  }
}

function start() {
  const section = (name) => document.getElementById(`view-${name}`);
  studio.views.scenarios = mountScenarios(section("scenarios"), studio);
  studio.views.graph = mountGraph(section("graph"), studio);
  studio.views.editor = mountEditor(section("editor"), studio);
  studio.views.play = mountPlay(section("play"), studio);
  studio.views.inspect = mountInspect(section("inspect"), studio);
  window.addEventListener("hashchange", route);
  route();
  // One stream per page: a `catalog` event on connect and after every reload.
  const events = new EventSource(new URL("../events", document.baseURI));
  events.addEventListener("catalog", (event) => refresh(JSON.parse(event.data).version));
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) studio.say("live updates stopped; reload the page");
  });
  window.studio = studio;
}

start();
