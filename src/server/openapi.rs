//! `GET /openapi.json`: an OpenAPI 3.1 description of the HTTP routes (protocol spec §4.3),
//! built from the same JSON Schemas `/schema` serves.

use axum::Json;
use serde_json::{Map, Value, json};

use super::documents::served_schemas;

/// The protocol version (`info.version`), not the crate's: `1.` selects `openenv-http/1.x`.
const PROTOCOL_VERSION: &str = "1.0.0";

/// `GET /openapi.json`.
pub(crate) async fn document() -> Json<Value> {
    Json(openapi())
}

/// The document.
pub(crate) fn openapi() -> Value {
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
    components.insert(
        "ResetRequest".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": u64::MAX},
                "episode_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
                "task": {"type": ["string", "null"]},
                "tier": {"enum": ["easy", "medium", "hard", null]},
            },
        }),
    );
    components.insert(
        "StepRequest".into(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["action"],
            "properties": {
                "action": {"$ref": "#/components/schemas/Action"},
                "episode_id": {"type": ["string", "null"]},
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
                "summary": "Episode state: a stored HTTP episode by id, or a fresh one",
                "parameters": [{"name": "episode_id", "in": "query", "required": false,
                    "schema": {"type": "string"}}],
                "responses": {
                    "200": ok(reference("State")),
                    "404": error("No such stored episode", "Error"),
                    "422": error("Invalid request", "ValidationError"),
                },
            }},
            "/reset": {"post": {
                "summary": "Start an episode (stored under its episode_id)",
                "requestBody": body("ResetRequest", false),
                "responses": {
                    "200": ok(reference("StepResponse")),
                    "413": error("Body over the size limit", "Error"),
                    "422": error("Invalid request", "ValidationError"),
                },
            }},
            "/step": {"post": {
                "summary": "One action on a stored episode, or on a throw-away one",
                "requestBody": body("StepRequest", true),
                "responses": {
                    "200": ok(reference("StepResponse")),
                    "404": error("No such stored episode", "Error"),
                    "409": error("The episode has ended", "Error"),
                    "413": error("Body over the size limit", "Error"),
                    "422": error("Invalid request or action", "ValidationError"),
                },
            }},
            "/mcp": {"post": {
                "summary": "MCP over JSON-RPC 2.0: initialize, tools/list, tools/call, sessions",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {}}}},
                "responses": {"200": ok(reference("JsonRpcResponse"))},
            }},
        },
        "components": {"schemas": components},
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
