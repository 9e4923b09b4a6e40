// Play: a person plays an episode over the WebSocket session route (`/ws`), one form per
// action; the step log keeps each reward and its breakdown; at the end, the grade. The played
// episode downloads as a trajectory rebuilt by the server (`POST /trajectory`).

import { h, fill, table } from "./dom.js";
import { get, post, detail, socketUrl, download } from "./api.js";
import { actionForms } from "./forms.js";
import { renderObservation, renderGrade, rewardCell, actionText, brief } from "./observation.js";

/** One WebSocket session: each request gets exactly one reply, in order. */
class Session {
  constructor() {
    this.waiting = [];
    this.socket = null;
  }

  async open() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return;
    this.socket = new WebSocket(socketUrl());
    this.socket.addEventListener("message", (event) => {
      const next = this.waiting.shift();
      if (next) next.resolve(JSON.parse(event.data));
    });
    this.socket.addEventListener("close", () => {
      for (const next of this.waiting.splice(0)) next.reject(new Error("the session closed"));
    });
    await new Promise((resolve, reject) => {
      this.socket.addEventListener("open", resolve, { once: true });
      this.socket.addEventListener("error", () => reject(new Error("cannot open the session")), { once: true });
    });
  }

  /** Sends `{type, data}`; the reply frame. */
  async request(type, data) {
    await this.open();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.send(JSON.stringify({ type, data }));
    });
  }
}

/** Mounts the view in `root`. */
export function mountPlay(root, studio) {
  const session = new Session();
  const state = { task: null, seed: null, actions: [], log: [], last: null, busy: false };
  const task = h("select", { id: "play-task", name: "task" });
  const seed = h("input", { id: "play-seed", name: "seed", type: "number", min: 0, step: 1, value: 1, required: true });
  const start = h("form", { class: "controls", id: "play-start" },
    h("label", { for: "play-task" }, "Task"), task,
    h("label", { for: "play-seed" }, "Seed"), seed,
    h("button", { type: "submit", class: "primary" }, "Start episode"),
    h("button", { type: "button", id: "play-download", disabled: true, on: { click: save } }, "Download trajectory"));
  const status = h("p", { id: "play-status", class: "muted", role: "status" }, "Pick a task and a seed, then start.");
  const errors = h("div", { id: "play-errors", "aria-live": "polite" });
  const observation = h("div", { id: "play-observation" });
  const forms = h("div", { id: "play-forms", class: "panel" });
  const log = h("div", { id: "play-log" });
  const grade = h("div", { id: "play-grade" });
  fill(root, h("h2", {}, "Play"), start, status, errors, grade,
    h("div", { class: "play-grid" }, observation, h("div", {}, h("h3", {}, "Actions"), forms)),
    h("h3", {}, "Step log"), log);

  let wanted = null;
  studio.onCatalog(() => {
    const chosen = wanted || task.value;
    fill(task, studio.scenarios.filter((s) => s.version).map((s) => h("option", { value: s.id }, `${s.id} (${s.difficulty})`)));
    if (chosen) task.value = chosen;
  });
  get("schema").then((answer) => {
    if (!answer.ok) return fill(forms, h("p", { class: "error" }, "cannot read /schema: ", detail(answer)));
    fill(forms, actionForms(answer.body.action, (action) => act(action)));
    setEnabled(false);
  });

  start.addEventListener("submit", (event) => {
    event.preventDefault();
    if (start.reportValidity()) begin(task.value, Number(seed.value), []);
  });

  function setEnabled(on) {
    for (const button of forms.querySelectorAll("button[type=submit]")) button.disabled = !on;
  }

  /** Starts an episode of `taskId` and seed, playing `actions` first (a fork). */
  async function begin(taskId, seedValue, actions) {
    Object.assign(state, { task: taskId, seed: seedValue, actions: [], log: [], last: null });
    fill(errors);
    fill(grade);
    fill(log);
    const reply = await session.request("reset", { task: taskId, seed: seedValue }).catch((e) => ({ type: "error", data: { message: e.message } }));
    if (!answered(reply)) return;
    state.last = reply.data;
    for (const action of actions) {
      if (state.last.done) break;
      if (!(await act(action, true))) return;
    }
    const forked = actions.length ? ` after replaying ${actions.length} recorded actions` : "";
    status.textContent = `Episode ${state.last.observation.episode_id} of ${taskId}, seed ${seedValue}${forked}: your move.`;
    render();
  }

  /** Sends one action; whether the server took it. */
  async function act(action, quiet = false) {
    if (state.busy || !state.last || state.last.done) return false;
    state.busy = true;
    setEnabled(false);
    const reply = await session.request("step", action).catch((e) => ({ type: "error", data: { message: e.message } }));
    state.busy = false;
    if (!answered(reply)) { setEnabled(true); return false; }
    fill(errors);
    state.actions.push(action);
    state.last = reply.data;
    const meta = reply.data.metadata || {};
    state.log.push({ action, reward: reply.data.reward, breakdown: meta.reward_breakdown, error: meta.last_action_error,
      outcome: reply.data.observation.latest_tool_result?.outcome, done: reply.data.done });
    if (!quiet) render();
    return true;
  }

  /** Whether a reply is an observation; an error frame is shown as the server sent it. */
  function answered(reply) {
    if (reply.type === "observation") return true;
    const data = reply.data || {};
    fill(errors, h("div", { class: "frame-error", role: "alert" },
      h("b", {}, data.code || "ERROR"), ": ", data.message || "",
      (data.errors || []).length ? h("ul", {}, data.errors.map((e) => h("li", {}, `${(e.loc || []).join(".")}: ${e.msg}`))) : null));
    return false;
  }

  function render() {
    const envelope = state.last;
    fill(observation, brief(envelope), renderObservation(envelope));
    const rows = state.log.map((s, i) => h("tr", { class: s.error ? "refused" : null },
      h("td", {}, i + 1), h("td", {}, h("code", {}, actionText(s.action))), h("td", {}, rewardCell(s.reward, s.breakdown)),
      h("td", {}, s.error ? h("span", { class: "rule-error" }, s.error) : s.outcome ?? "")));
    const total = state.log.reduce((sum, s) => sum + (s.reward || 0), 0);
    fill(log, state.log.length
      ? [table(["#", "Action", "Reward (breakdown)", "Outcome or rule error"], rows, { class: "steps" }),
        h("p", {}, "Return: ", h("b", { id: "play-return" }, total.toFixed(4)))]
      : h("p", { class: "muted" }, "No steps yet."));
    const meta = envelope.metadata || {};
    if (envelope.done) {
      fill(grade, renderGrade(meta.grade));
      status.textContent = `Episode over${meta.termination_reason ? `: ${meta.termination_reason}` : ""}. Download it, or start another.`;
    }
    root.querySelector("#play-download").disabled = state.log.length === 0;
    setEnabled(!envelope.done);
  }

  async function save() {
    const meta = state.last?.metadata || {};
    const answer = await post("trajectory", {
      task: state.task, seed: state.seed, episode_id: state.last.observation.episode_id,
      scenario_version: meta.scenario_version, actions: state.actions,
    });
    if (!answer.ok) return fill(errors, h("p", { class: "frame-error", role: "alert" }, "Cannot build the trajectory: ", detail(answer)));
    download(`${state.task}-seed${state.seed}.jsonl`, `${JSON.stringify(answer.body.trajectory)}\n`);
    status.textContent = `Downloaded the trajectory (${answer.body.trajectory.steps.length} steps).`;
  }

  return {
    show(taskId) {
      // The catalog may not be here yet: its listener picks the task then.
      wanted = taskId || wanted;
      if (taskId && [...task.options].some((o) => o.value === taskId)) task.value = taskId;
    },
    /** Forks a what-if: plays `actions` of `taskId`/`seedValue`, then hands over. */
    fork(taskId, seedValue, actions) {
      seed.value = String(seedValue);
      wanted = taskId;
      if ([...task.options].some((o) => o.value === taskId)) task.value = taskId;
      studio.go("play");
      return begin(taskId, seedValue, actions);
    },
    state,
  };
}
