//! `GET /openapi.json`: an OpenAPI 3.1 description of the HTTP routes (protocol spec §4.3),
//! built from the same JSON Schemas `/schema` serves.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::App;
use super::documents::served_schemas;
use crate::catalog::Catalog;

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
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "ShopOps",
            "version": PROTOCOL_VERSION,
            "description": "Operations desk of an online shop, as an OpenEnv environment. \
                The WebSocket session protocol lives at /ws (not described here).",
        },
        "paths": {
            "/health": get("Liveness", json!({"type": "object", "required": ["status"],
                "properties": {"status": {"const": "healthy"}}})),
            "/metadata": get("Name, description and version", json!({"type": "object"})),
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
        },
        "components": {"schemas": components},
    })
}

/// The reset arguments. `task` is a served id and `tier` a served difficulty, and the two agree
/// when both are given (else 422 `unknown_task`, `unknown_tier`, `task_tier_mismatch`).
fn reset_request(catalog: &Catalog) -> Value {
    let mut tiers: Vec<&str> = Vec::new();
    let mut choices = Vec::new();
    for machine in catalog.machines() {
        let tier = machine.scenario.difficulty.as_str();
        if !tiers.contains(&tier) {
            tiers.push(tier);
        }
        choices.push(json!({
            "required": ["task"],
            "properties": {"task": {"const": machine.scenario.id}, "tier": {"enum": [tier, null]}},
        }));
    }
    let mut untasked: Vec<Value> = tiers.iter().map(|tier| json!(tier)).collect();
    untasked.push(Value::Null);
    choices
        .insert(0, json!({"properties": {"task": {"type": "null"}, "tier": {"enum": untasked}}}));
    let mut tasks: Vec<Value> = catalog.ids().map(|id| json!(id)).collect();
    tasks.push(Value::Null);
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX},
            "episode_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
            "task": {"enum": tasks},
            "tier": {"enum": ["easy", "medium", "hard", null]},
        },
        "anyOf": choices,
    })
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
