// A form per action type, generated from the action's JSON Schema (`GET /schema`): each action
// gets the fields whose schema description names it (`issue_refund` → `refund_amount_usd`), the
// rest (optional for every action) folded away. Inputs carry the schema's constraints, so the
// browser checks what it can before the server validates the rest.

import { h } from "./dom.js";

/** Forms for every action type of `schema` (the `action` schema); `submit(action)` sends one. */
export function actionForms(schema, submit) {
  const defs = schema.$defs || {};
  const types = resolve(schema.properties.action_type, defs).enum;
  const fields = Object.entries(schema.properties).filter(([name]) => name !== "action_type");
  return h("div", { class: "action-forms" }, types.map((type) => {
    const own = fields.filter(([, s]) => (s.description || "").includes(`\`${type}\``));
    const other = fields.filter(([, s]) => !own.some(([, o]) => o === s));
    const form = h("form", { class: "action", "data-action": type, "aria-label": type },
      h("button", { type: "submit", class: "primary" }, type),
      own.map(([name, s]) => field(type, name, s, defs)),
      other.length ? h("details", {}, h("summary", {}, "other fields"), other.map(([name, s]) => field(type, name, s, defs))) : null);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (form.reportValidity()) submit(read(form, type, fields, defs));
    });
    return form;
  }));
}

/** The schema `s` with a `$ref` (or an `anyOf` of a `$ref` and null) followed. */
function resolve(s, defs) {
  const ref = s.$ref || (s.anyOf || []).map((a) => a.$ref).find(Boolean);
  return ref ? { ...defs[ref.split("/").pop()], description: s.description } : s;
}

function kind(s, defs) {
  const r = resolve(s, defs);
  if (r.enum) return "enum";
  const types = [].concat(r.type || []);
  for (const t of ["boolean", "number", "integer", "string", "object"]) if (types.includes(t)) return t;
  return "string";
}

function field(type, name, s, defs) {
  const id = `f-${type}-${name}`;
  const r = resolve(s, defs);
  const label = h("label", { for: id, title: s.description || "" }, name.replaceAll("_", " "));
  switch (kind(s, defs)) {
    case "enum":
      return h("div", { class: "field" }, label, h("select", { id, name },
        h("option", { value: "" }, "—"), r.enum.map((v) => h("option", { value: v }, v))));
    case "boolean":
      return h("div", { class: "field check" }, h("input", { id, name, type: "checkbox" }), label);
    case "number":
    case "integer":
      return h("div", { class: "field" }, label, h("input", {
        id, name, type: "number", step: kind(s, defs) === "integer" ? "1" : "any",
        min: r.minimum, max: r.maximum, inputmode: "decimal",
      }));
    case "object":
      return h("div", { class: "field" }, label, h("input", { id, name, type: "text", placeholder: "{} (JSON)" }));
    default:
      return h("div", { class: "field" }, label, h("input", { id, name, type: "text", maxlength: r.maxLength, autocomplete: "off" }));
  }
}

/** The action a form holds: empty fields left out, numbers as numbers. */
function read(form, type, fields, defs) {
  const action = { action_type: type };
  for (const [name, s] of fields) {
    const input = form.elements.namedItem(name);
    if (!input) continue;
    switch (kind(s, defs)) {
      case "boolean": if (input.checked) action[name] = true; break;
      case "number":
      case "integer": if (input.value !== "") action[name] = Number(input.value); break;
      case "object":
        if (input.value.trim() !== "") {
          try { action[name] = JSON.parse(input.value); } catch { action[name] = input.value; }
        }
        break;
      default: if (input.value !== "") action[name] = input.value;
    }
  }
  return action;
}
