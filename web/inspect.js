// Inspect: open a trajectory file (JSON Lines, the project's format), pick an episode and step
// through it, forward and back, with the observation at each step — rebuilt by the server,
// which replays the actions (`POST /trajectory`), as trajectories hold no observations. Any step
// forks a what-if into Play.

import { h, fill, facts, show } from "./dom.js";
import { post, detail } from "./api.js";
import { renderObservation, renderGrade, rewardCell, actionText } from "./observation.js";

/** Mounts the view in `root`. */
export function mountInspect(root, studio) {
  const file = h("input", { type: "file", id: "inspect-file", accept: ".jsonl,.json,application/x-ndjson" });
  const episode = h("select", { id: "inspect-episode", name: "episode" });
  const status = h("p", { id: "inspect-status", class: "muted", role: "status" }, "Open a trajectory file (a results file of eval, or one recorded by serve --record).");
  const slider = h("input", { type: "range", id: "inspect-step", min: 0, max: 0, value: 0, "aria-label": "step" });
  const button = (id, text, click) => h("button", { type: "button", id, on: { click } }, text);
  const nav = h("div", { class: "controls", id: "inspect-nav", hidden: true },
    button("inspect-first", "First", () => go(0)), button("inspect-prev", "◀ Back", () => go(at - 1)),
    slider, h("output", { id: "inspect-at", for: "inspect-step" }),
    button("inspect-next", "Forward ▶", () => go(at + 1)), button("inspect-last", "Last", () => go(steps.length)),
    button("inspect-fork", "Fork a what-if from here", fork));
  const record = h("div", { id: "inspect-record" });
  const view = h("div", { id: "inspect-observation" });
  fill(root, h("h2", {}, "Inspect"),
    h("div", { class: "controls" }, h("label", { for: "inspect-file" }, "Trajectory file"), file, h("label", { for: "inspect-episode" }, "Episode"), episode),
    status, nav, record, view);
  let trajectories = [];
  let trajectory = null;
  let steps = [];
  let observations = [];
  let at = 0;

  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    open(chosen.name, await chosen.text());
  });
  episode.addEventListener("change", () => pick(Number(episode.value)));
  slider.addEventListener("input", () => go(Number(slider.value)));
  root.addEventListener("keydown", (event) => {
    if (nav.hidden || event.target.closest("input[type=file], select")) return;
    if (event.key === "ArrowRight" && event.target !== slider) go(at + 1);
    if (event.key === "ArrowLeft" && event.target !== slider) go(at - 1);
  });

  /** Reads the episodes of a JSON Lines text. */
  function open(name, text) {
    trajectories = [];
    const bad = [];
    text.split("\n").forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const t = JSON.parse(line);
        if (t.format_version === 1 && Array.isArray(t.steps)) trajectories.push(t);
        else bad.push(i + 1);
      } catch { bad.push(i + 1); }
    });
    fill(episode, trajectories.map((t, i) => h("option", { value: i },
      `${t.task} seed ${t.seed} · ${t.agent?.kind}/${t.agent?.name} · ${t.steps.length} steps · grade ${show(t.grade?.score)}`)));
    status.textContent = `${name}: ${trajectories.length} episodes${bad.length ? `; lines not read (not format 1): ${bad.slice(0, 5).join(", ")}` : ""}.`;
    if (trajectories.length) pick(0);
  }

  async function pick(index) {
    trajectory = trajectories[index];
    steps = trajectory.steps;
    const answer = await post("trajectory", {
      task: trajectory.task, seed: trajectory.seed, episode_id: trajectory.episode_id,
      scenario_version: trajectory.scenario_version, actions: steps.map((s) => s.action), observations: true,
    });
    if (!answer.ok) {
      observations = [];
      status.textContent = `The observations cannot be rebuilt: ${detail(answer)}. The recorded steps are shown alone.`;
    } else {
      observations = answer.body.observations;
    }
    nav.hidden = false;
    slider.max = String(steps.length);
    go(0);
  }

  function go(step) {
    at = Math.max(0, Math.min(steps.length, step));
    slider.value = String(at);
    root.querySelector("#inspect-at").textContent = `step ${at} of ${steps.length}`;
    const s = steps[at - 1];
    fill(record, at === 0
      ? h("p", {}, `Reset: ${trajectory.task}, seed ${trajectory.seed}, scenario version ${trajectory.scenario_version}.`)
      : h("div", { class: "panel", id: "inspect-step-record" },
        h("h3", {}, `Step ${at}: `, h("code", {}, actionText(s.action))),
        facts([["reward", rewardCell(s.reward, s.reward_breakdown).textContent], ["case", s.case_id], ["outcome", s.outcome],
          ["rule error", s.last_action_error], ["clock", `${s.clock_minutes} min`], ["done", s.done]])),
      at === steps.length && trajectory.grade ? renderGrade(trajectory.grade) : null);
    fill(view, observations[at] ? renderObservation(observations[at]) : h("p", { class: "muted" }, "no observation"));
  }

  function fork() {
    studio.views.play.fork(trajectory.task, trajectory.seed, steps.slice(0, at).map((s) => s.action));
  }

  return { open };
}
