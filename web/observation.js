// An observation laid out: the queue with its SLA clocks, the active case with its summaries and
// blockers, the latest tool result, resources, metrics and the facts learned so far.

import { h, facts, show, table } from "./dom.js";

const SUMMARIES = ["order_summary", "policy_summary", "history_summary", "inventory_summary"];
const LISTS = ["blockers", "pending_events", "completed_checks", "notes"];

/** The observation of an envelope (`{observation, reward, done, metadata}`) as a node. */
export function renderObservation(envelope) {
  const o = envelope.observation;
  const meta = envelope.metadata || {};
  const active = o.active_case || {};
  const queue = table(["Case", "Title", "Priority", "Status", "SLA min", "Blockers"],
    (o.queue || []).map((c) => {
      const sla = c.sla_minutes_remaining;
      return h("tr", { class: c.case_id === active.case_id ? "active" : null, "data-case": c.case_id },
        h("td", {}, h("code", {}, c.case_id)), h("td", {}, c.title), h("td", {}, c.priority),
        h("td", {}, c.status),
        h("td", { class: sla !== null && sla <= 10 ? "urgent" : null }, show(sla)),
        h("td", {}, show(c.blocker_count)));
    }), { class: "queue" });
  const plain = Object.entries(active).filter(([k, v]) =>
    !SUMMARIES.includes(k) && !LISTS.includes(k) && (typeof v !== "object" || v === null));
  const summaries = SUMMARIES.filter((k) => active[k]).map((k) => h("p", { class: "summary" }, h("b", {}, k.replace("_summary", ""), ": "), active[k]));
  const lists = LISTS.map((k) => h("div", { class: `chips ${k}` }, h("b", {}, k.replace("_", " "), ": "),
    (active[k] || []).length ? active[k].map((item) => h("span", { class: "chip" }, show(item))) : "none"));
  const result = o.latest_tool_result || {};
  const known = meta.known_facts || {};
  return h("div", { class: "observation" },
    h("div", { class: "panel" }, h("h4", {}, "Queue"), queue),
    h("div", { class: "panel case" },
      h("h4", {}, `Active case ${active.case_id ?? ""}`, active.title ? ` — ${active.title}` : ""),
      lists, summaries, h("details", {}, h("summary", {}, "Case fields"), facts(plain))),
    h("div", { class: "panel" },
      h("h4", {}, "Latest result"),
      h("p", { class: "outcome" }, result.action_type ? h("code", {}, result.action_type) : null, " ", result.outcome ?? ""),
      meta.last_action_error ? h("p", { class: "rule-error", role: "alert" }, "Rule error: ", meta.last_action_error) : null,
      h("h4", {}, "Known facts"),
      Object.keys(known).length ? facts(Object.entries(known), { class: "facts known-facts" }) : h("p", { class: "muted" }, "none yet")),
    h("div", { class: "panel numbers" },
      h("h4", {}, "Resources"), facts(Object.entries(o.resources || {}).filter(([, v]) => typeof v !== "object")),
      h("h4", {}, "Metrics"), facts(Object.entries(o.metrics || {})),
      h("p", { class: "muted" }, `step ${o.step_index} of ${meta.max_steps ?? "?"} · invalid actions ${meta.invalid_actions ?? 0}/${meta.invalid_action_limit ?? "?"}`)));
}

/** The brief of an episode (the reset's tool result), if any. */
export function brief(envelope) {
  const text = envelope.observation?.latest_tool_result?.details?.brief;
  return text ? h("details", { class: "brief" }, h("summary", {}, "Brief"), h("pre", {}, text)) : null;
}

/** The grade report of a finished episode: score and components. */
export function renderGrade(grade) {
  if (!grade) return null;
  const weights = grade.weights || {};
  const rows = Object.entries(grade.components || {}).map(([name, value]) => [name, show(value), show(weights[name])]);
  return h("section", { class: "grade", id: "grade", "aria-label": "Grade" },
    h("h3", {}, "Grade ", h("output", { class: "score", id: "grade-score" }, show(grade.score))),
    table(["Component", "Score", "Weight"], rows),
    h("details", {}, h("summary", {}, "Whole report"), h("pre", {}, JSON.stringify(grade, null, 2))));
}

/** One step's reward and its breakdown. */
export function rewardCell(reward, breakdown) {
  const terms = Object.entries(breakdown || {}).filter(([, v]) => v !== 0);
  return h("span", {}, h("b", {}, show(reward)),
    terms.length ? h("span", { class: "terms" }, " (", terms.map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${v}`).join(", "), ")") : null);
}

/** An action as short text: its type and the fields it sets. */
export function actionText(action) {
  const rest = Object.entries(action).filter(([k, v]) => k !== "action_type" && k !== "metadata" && v !== null && v !== false);
  return `${action.action_type}${rest.length ? ` ${rest.map(([k, v]) => `${k}=${v}`).join(" ")}` : ""}`;
}
