//! `GET /openapi.json`: an OpenAPI 3.1 description of the HTTP routes (protocol spec §4.3),
//! built from the same JSON Schemas `/schema` serves.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::App;
use super::documents::served_schemas;
use super::tasks::MAX_LISTED_TASKS;
use crate::catalog::Catalog;
use crate::check::splits::SeedSplit;

/// The protocol version (`info.version`), not the crate's: `1.` selects `openenv-http/1.x`.
const PROTOCOL_VERSION: &str = "1.0.0";

/// `GET /openapi.json`.
pub(crate) async fn document(State(app): State<Arc<App>>) -> Json<Value> {
    Json(openapi(&app.catalog()))
}

/// The document for the scenarios served now (reset names them).
pub(crate) fn openapi(catalog: &Catalog) -> Value {
    let mut components = Map::new();
    let served = served_schemas();
    for (name, key) in [("Action", "action"), ("Observation", "observation"), ("State", "state")] {
        add_schema(&mut components, name, served[key].clone());
    }
    let mut envelope_observation = components["Observation"].clone();
    for field in ["reward", "done"] {
        envelope_observation["properties"].as_object_mut().map(|p| p.remove(field));
        if let Some(required) = envelope_observation["required"].as_array_mut() {
            required.retain(|name| name != field);
        }
    }
    components.insert("EnvelopeObservation".into(), envelope_observation);
    components.insert(
        "StepResponse".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["observation", "reward", "done", "metadata"],
            "properties": {
                "observation": {"$ref": "#/components/schemas/EnvelopeObservation"},
                "reward": {"type": ["number", "null"]},
                "done": {"type": "boolean"},
                "metadata": {"type": ["object", "null"]},
            },
        }),
    );
    components.insert("ResetRequest".into(), reset_request(catalog));
    components.insert(
        "StepRequest".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["action"],
            "properties": {
                "action": {"$ref": "#/components/schemas/Action"},
                "episode_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
                "timeout_s": {"type": ["number", "null"], "exclusiveMinimum": 0},
                "request_id": {"type": ["string", "null"], "maxLength": 255},
            },
        }),
    );
    components.insert(
        "ValidationError".into(),
        json!({
            "type": "object",
            "required": ["detail"],
            "properties": {"detail": {"type": "array", "items": {
                "type": "object",
                "required": ["type", "loc", "msg", "input"],
                "properties": {
                    "type": {"type": "string"},
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "input": {},
                },
            }}},
        }),
    );
    components.insert(
        "Error".into(),
        json!({
            "type": "object",
            "required": ["detail"],
            "properties": {"detail": {"type": "string"}},
        }),
    );
    components.insert(
        "JsonRpcResponse".into(),
        json!({
            "type": "object",
            "required": ["jsonrpc", "id"],
            "properties": {
                "jsonrpc": {"const": "2.0"},
                "id": {},
                "result": {},
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
                },
            },
        }),
    );
    let mut paths = protocol_paths();
    paths.extend(authoring_paths(catalog));
    paths.extend(task_paths(catalog));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ShopOps",
            "version": PROTOCOL_VERSION,
            "description": "Operations desk of an online shop, as an OpenEnv environment, with \
                the authoring API and the studio. The WebSocket session protocol at /ws is \
                described in the README; here only its upgrade request.",
        },
        "paths": paths,
        "components": {"schemas": components},
    })
}

/// The OpenEnv routes (protocol spec §3).
fn protocol_paths() -> Map<String, Value> {
    let paths = json!({
            "/health": get("Liveness", json!({"type": "object", "required": ["status"],
                "properties": {"status": {"const": "healthy"}}})),
            "/metadata": get("Name, description and version", json!({"type": "object"})),
            "/openapi.json": get("This document (OpenAPI 3.1)", json!({"type": "object"})),
            "/schema": get("JSON Schemas of action, observation and state",
                json!({"type": "object", "required": ["action", "observation", "state"]})),
            "/state": {"get": {
                "operationId": "state",
                "summary": "Episode state: a stored HTTP episode by id, or a fresh one",
                "parameters": [{"name": "episode_id", "in": "query", "required": false,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255}}],
                "responses": {
                    "200": ok(reference("State")),
                    "404": error("No such stored episode", "Error"),
                    "422": error("Invalid request", "ValidationError"),
                },
            }},
            "/reset": {"post": {
                "operationId": "reset",
                "summary": "Start an episode (stored under its episode_id)",
                // An empty body or `null` is a default reset.
                "requestBody": {"required": false, "content": {"application/json": {"schema":
                    {"anyOf": [reference("ResetRequest"), {"type": "null"}]}}}},
                "responses": {
                    "200": continued(),
                    "408": error("Request not received in time", "Error"),
                    "413": error("Body over the size limit", "Error"),
                    "422": error("Invalid request", "ValidationError"),
                },
            }},
            "/step": {"post": {
                "operationId": "step",
                "summary": "One action on a stored episode, or on a throw-away one",
                "requestBody": body("StepRequest", true),
                "responses": {
                    "200": continued(),
                    "404": error("No such stored episode", "Error"),
                    "408": error("Request not received in time", "Error"),
                    "409": error("The episode has ended", "Error"),
                    "413": error("Body over the size limit", "Error"),
                    "422": error("Invalid request or action", "ValidationError"),
                },
            }},
            "/mcp": {"post": {
                "summary": "MCP over JSON-RPC 2.0: initialize, tools/list, tools/call, sessions",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {}}}},
                "responses": {
                    "200": ok(reference("JsonRpcResponse")),
                    "202": {"description": "A notification (no `id`): accepted, no body"},
                    "408": error("Request not received in time", "Error"),
                },
            }},
            "/ws": {"get": {
                "summary": "A WebSocket session (reset, step, state, mcp, close messages)",
                "responses": {
                    "101": {"description": "Switching to the WebSocket protocol"},
                    "400": error("Not a WebSocket upgrade request", "Error"),
                },
            }},
    });
    into_map(paths)
}

/// The authoring API and the studio (README, "Design loop"; docs/studio.md).
fn authoring_paths(catalog: &Catalog) -> Map<String, Value> {
    let tasks: Vec<&str> = catalog.ids().collect();
    let id = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let any_object = json!({"type": "object"});
    let paths = json!({
        "/scenarios": get("Every scenario file: id, title, difficulty, version, status, path",
            json!({"type": "array", "items": {"type": "object"}})),
        "/scenarios/{id}": {"get": {
            "summary": "What the served version of a scenario declares",
            "parameters": id,
            "responses": {"200": ok(any_object.clone()), "404": error("No such scenario", "Error")},
        }},
        "/scenarios/{id}/graph": {"get": {
            "summary": "The dependency graph, as JSON or DOT",
            "parameters": [id[0].clone(), {"name": "format", "in": "query", "required": false,
                "schema": {"enum": ["json", "dot"]}}],
            "responses": {
                "200": {"description": "OK", "content": {
                    "application/json": {"schema": any_object.clone()},
                    "text/vnd.graphviz": {"schema": {"type": "string"}},
                }},
                "400": error("A malformed query string (a key given twice, say)", "Error"),
                "404": error("No such scenario", "Error"),
                "422": error("Unknown format", "ValidationError"),
            },
        }},
        "/scenarios/{id}/source": {"get": {
            "summary": "The files of the served version (scenario, imports, case data)",
            "parameters": id,
            "responses": {"200": ok(any_object.clone()), "404": error("No such scenario", "Error")},
        }},
        "/diagnostics": get("The diagnostics of the last check, as `check --format json`",
            json!({"type": "array", "items": {"type": "object"}})),
        "/check": {"post": {
            "summary": "Check a scenario text (and its case data) in the served directory",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "additionalProperties": false,
                "required": ["source"],
                "properties": {
                    "source": {"type": "string"},
                    "data": {"type": ["string", "null"]},
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                },
            }}}},
            "responses": {
                "200": ok(json!({"type": "array", "items": {"type": "object"}})),
                "408": error("Request not received in time", "Error"),
                "413": error("Body over the size limit", "Error"),
                "422": error("Invalid request", "ValidationError"),
                "429": error("Checks busy: retry after a second", "Error"),
            },
        }},
        "/events": {"get": {
            "summary": "Server-sent events: the catalog version now and after every reload",
            "responses": {
                "200": {"description": "An event stream", "content": {"text/event-stream": {
                    "schema": {"type": "string"}}}},
                "429": error("Too many streams", "Error"),
            },
        }},
        "/trajectory": {"post": {
            "summary": "An episode rebuilt from task, seed and actions, as a trajectory",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "additionalProperties": false,
                "required": ["task", "seed", "actions"],
                "properties": {
                    "task": {"enum": tasks},
                    "seed": {"type": "integer", "minimum": 0, "maximum": u64::MAX},
                    "episode_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
                    "scenario_version": {"type": ["string", "null"], "maxLength": 64},
                    "actions": {"type": "array", "maxItems": super::trajectories::MAX_ACTIONS,
                        "items": reference("Action")},
                    "observations": {"type": "boolean"},
                },
            }}}},
            "responses": {
                "200": ok(json!({"type": "object", "required": ["trajectory", "unplayed"]})),
                "404": error("No such task", "Error"),
                "408": error("Request not received in time", "Error"),
                "409": error("That scenario version is not served", "Error"),
                "413": error("Body over the size limit", "Error"),
                "422": error("Invalid request", "ValidationError"),
            },
        }},
        "/save": {"post": {
            "summary": "Write a scenario file (only with serve --allow-save)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["path", "text"],
                "properties": {"path": {"type": "string"}, "text": {"type": "string"}},
            }}}},
            "responses": {
                "200": ok(json!({"type": "object", "required": ["saved", "bytes"]})),
                "403": error("Saving is off, or the path is refused", "Error"),
                "408": error("Request not received in time", "Error"),
                "413": error("Body over the size limit", "Error"),
                "422": error("Invalid request", "ValidationError"),
            },
        }},
        "/web": {"get": {
            "summary": "The studio (redirects to web/)",
            "responses": {"308": {"description": "To web/"}},
        }},
        "/web/": {"get": {
            "summary": "The studio's page",
            "responses": {"200": {"description": "OK", "content": {"text/html": {"schema":
                {"type": "string"}}}}},
        }},
        "/web/{file}": {"get": {
            "summary": "The studio's scripts and styles",
            "parameters": [{"name": "file", "in": "path", "required": true,
                "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "The file (JavaScript or CSS)"},
                "404": error("No such file", "Error"),
            },
        }},
    });
    into_map(paths)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The reset arguments. `task` is a served id and `tier` a served difficulty, and the two agree
/// when both are given (else 422 `unknown_task`, `unknown_tier`, `task_tier_mismatch`). With a
/// `split`, either an `index` within its task list or a `seed` of the selected task's split
/// (else 422 `unknown_split`, `index_out_of_range`, `seed_not_in_split`, `seed_and_index`);
/// `index` without `split` is refused (`index_without_split`).
fn reset_request(catalog: &Catalog) -> Value {
    let mut tiers: Vec<&str> = Vec::new();
    let no_split = json!({"split": {"type": "null"}, "index": {"type": "null"}});
    let mut choices = Vec::new();
    for machine in catalog.machines() {
        let tier = machine.scenario.difficulty.as_str();
        if !tiers.contains(&tier) {
            tiers.push(tier);
        }
        let mut properties = no_split.clone();
        properties["task"] = json!({"const": machine.scenario.id});
        properties["tier"] = json!({"enum": [tier, null]});
        choices.push(json!({"required": ["task"], "properties": properties}));
        for (split, seeds) in &machine.scenario.splits {
            choices.push(json!({
                "required": ["task", "split"],
                "properties": {
                    "task": {"const": machine.scenario.id},
                    "tier": {"enum": [tier, null]},
                    "split": {"const": split},
                },
                "anyOf": [by_index(seeds.len()), by_seed(seeds)],
            }));
        }
    }
    let mut untasked: Vec<Value> = tiers.iter().map(|tier| json!(tier)).collect();
    untasked.push(Value::Null);
    let mut properties = no_split;
    properties["task"] = json!({"type": "null"});
    properties["tier"] = json!({"enum": untasked});
    choices.insert(0, json!({"properties": properties}));
    for tier in tiers.iter().map(|t| Some(*t)).chain([None]) {
        let Ok(default) = catalog.select(None, tier) else { continue };
        for split in catalog.splits() {
            let Ok(rows) = catalog.split_rows(split, None, tier) else { continue };
            let mut ways = vec![by_index(rows.len())];
            ways.extend(default.scenario.splits.get(split).map(by_seed));
            choices.push(json!({
                "required": ["split"],
                "properties": {"task": {"type": "null"}, "tier": {"enum": [tier]}, "split": {"const": split}},
                "anyOf": ways,
            }));
        }
    }
    let mut tasks: Vec<Value> = catalog.ids().map(|id| json!(id)).collect();
    tasks.push(Value::Null);
    let mut splits: Vec<Value> = catalog.splits().into_iter().map(|s| json!(s)).collect();
    splits.push(Value::Null);
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX},
            "episode_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
            "task": {"enum": tasks},
            "tier": {"enum": ["easy", "medium", "hard", null]},
            "split": {"enum": splits},
            "index": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX},
        },
        "anyOf": choices,
    })
}

/// A split's seed by its row: `index` below `rows`, no `seed` (neither: a random row).
fn by_index(rows: u64) -> Value {
    json!({"properties": {
        "seed": {"type": "null"},
        "index": {"type": ["integer", "null"], "minimum": 0, "maximum": rows.saturating_sub(1)},
    }})
}

/// A split's seed given: one of `seeds`, no `index`.
fn by_seed(seeds: &SeedSplit) -> Value {
    let ranges: Vec<Value> = seeds
        .ranges()
        .iter()
        .map(|&(lo, hi)| json!({"type": "integer", "minimum": lo, "maximum": hi}))
        .collect();
    json!({"required": ["seed"], "properties": {"index": {"type": "null"}, "seed": {"anyOf": ranges}}})
}

/// OpenEnv's task API (its `TaskProvider` routes) over the declared splits.
fn task_paths(catalog: &Catalog) -> Map<String, Value> {
    let env = json!([{"name": "env", "in": "path", "required": true,
        "schema": {"type": "string", "pattern": "^[Ss][Hh][Oo][Pp][Oo][Pp][Ss]$"}}]);
    let splits: Vec<&str> = catalog.splits();
    // No declared split: every split is unknown (400).
    let split = if splits.is_empty() { json!({"type": "string"}) } else { json!({"enum": splits}) };
    let spec = json!({
        "type": "object",
        "required": ["id", "index", "split", "task", "difficulty", "seed"],
        "properties": {
            "id": {"type": "string"}, "index": {"type": "integer"}, "split": {"type": "string"},
            "task": {"type": "string"}, "difficulty": {"type": "string"}, "seed": {"type": "integer"},
        },
    });
    let specs = json!({"type": "array", "items": spec, "maxItems": MAX_LISTED_TASKS});
    let by_split: Vec<Value> = splits
        .iter()
        .filter_map(|s| catalog.split_rows(s, None, None).ok())
        .map(|rows| {
            json!({"properties": {
                "split": {"const": rows.split()},
                "index": {"type": "integer", "minimum": 0, "maximum": rows.len().saturating_sub(1)},
            }})
        })
        .collect();
    let request = |properties: Value, required: Value, any_of: Option<Vec<Value>>| {
        let mut schema = json!({"type": "object", "additionalProperties": false,
            "required": required, "properties": properties});
        if let Some(any_of) = any_of.filter(|a| !a.is_empty()) {
            schema["anyOf"] = json!(any_of);
        }
        json!({"required": true, "content": {"application/json": {"schema": schema}}})
    };
    let post = |summary: &str, body: Value, reply: Value| {
        json!({"post": {
            "summary": summary,
            "parameters": env,
            "requestBody": body,
            "responses": {
                "200": ok(reply),
                "400": error("Unknown split, or index out of range", "Error"),
                "404": error("Unknown environment", "Error"),
                "408": error("Request not received in time", "Error"),
                "413": error("Body over the size limit", "Error"),
                "422": error("Invalid request", "ValidationError"),
            },
        }})
    };
    // Any integer: the server clamps slice bounds, however far out.
    let bound = json!({"type": ["integer", "null"]});
    let paths = json!({
        "/list_environments": get("The environments served: [\"shopops\"]",
            json!({"type": "array", "items": {"type": "string"}})),
        "/{env}/splits": {"get": {
            "summary": "The declared seed splits: name, type, num_tasks",
            "parameters": env,
            "responses": {
                "200": ok(json!({"type": "array", "items": {"type": "object",
                    "required": ["name", "type", "num_tasks"]}})),
                "404": error("Unknown environment", "Error"),
            },
        }},
        "/{env}/tasks": post("A split's task specs (the first 1,000; num_tasks counts all)",
            request(json!({"split": split}), json!(["split"]), None),
            json!({"type": "object", "required": ["tasks", "env_name", "num_tasks", "truncated"],
                "properties": {"tasks": specs}})),
        "/{env}/num_tasks": post("The number of task specs of a split",
            request(json!({"split": split}), json!(["split"]), None),
            json!({"type": "object", "required": ["num_tasks"],
                "properties": {"num_tasks": {"type": "integer", "minimum": 0}}})),
        "/{env}/task": post("One task spec: what reset {split, index} plays",
            request(json!({"split": split, "index": {"type": "integer", "minimum": 0}}),
                json!(["split", "index"]), Some(by_split)),
            json!({"type": "object", "required": ["task"], "properties": {"task": spec}})),
        "/{env}/task_range": post("Task specs [start, stop) with Python's slice bounds (at most 1,000)",
            request(json!({"split": split, "start": bound, "stop": bound}), json!(["split"]), None),
            json!({"type": "object", "required": ["tasks", "truncated"],
                "properties": {"tasks": specs}})),
    });
    into_map(paths)
}

/// Adds a self-contained schema under `name`, moving its `$defs` beside it.
fn add_schema(components: &mut Map<String, Value>, name: &str, mut schema: Value) {
    rewrite_refs(&mut schema);
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
        if let Some(Value::Object(defs)) = object.remove("$defs") {
            components.extend(defs);
        }
    }
    components.insert(name.into(), schema);
}

/// Points `#/$defs/X` at `#/components/schemas/X`.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object.iter_mut() {
                match inner {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix("#/$defs/") {
                            *target = format!("#/components/schemas/{name}");
                        }
                    }
                    _ => rewrite_refs(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An episode's envelope, with links to continue the episode by its id.
fn continued() -> Value {
    let id = "$response.body#/observation/episode_id";
    let mut response = ok(reference("StepResponse"));
    response["links"] = json!({
        "step": {"operationId": "step", "requestBody": {"episode_id": id}},
        "state": {"operationId": "state", "parameters": {"episode_id": id}},
    });
    response
}

fn ok(schema: Value) -> Value {
    json!({"description": "OK", "content": {"application/json": {"schema": schema}}})
}

fn error(description: &str, schema: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": reference(schema)}}})
}

fn body(schema: &str, required: bool) -> Value {
    json!({"required": required, "content": {"application/json": {"schema": reference(schema)}}})
}

fn get(summary: &str, schema: Value) -> Value {
    json!({"get": {"summary": summary, "responses": {"200": ok(schema)}}})
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::server::{App, Checker, Limits, routes};

    #[test]
    fn every_route_is_described_and_nothing_else() {
        let app = App::new(Catalog::default(), Vec::new(), Limits::default(), Checker::InProcess);
        let served: BTreeSet<&str> = routes(&app).into_iter().map(|(path, _)| path).collect();
        let document = openapi(&app.catalog());
        let described: BTreeSet<&str> =
            document["paths"].as_object().expect("paths").keys().map(String::as_str).collect();
        assert_eq!(served, described);
    }
}
