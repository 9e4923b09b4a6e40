//! The fixed documents: `/health`, `/metadata`, `/schema`.

use axum::Json;
use serde_json::{Value, json};

use crate::wire::schemas;

/// `GET /health`.
pub(crate) async fn health() -> Json<Value> {
    Json(json!({"status": "healthy"}))
}

/// `GET /metadata`: exactly the six keys of the protocol spec (§4.1).
pub(crate) async fn metadata() -> Json<Value> {
    Json(json!({
        "name": "shopops",
        "description": "Operations desk of an online shop.",
        "readme_content": null,
        "version": env!("CARGO_PKG_VERSION"),
        "author": null,
        "documentation_url": null,
    }))
}

/// `GET /schema`.
pub(crate) async fn schema() -> Json<Value> {
    Json(served_schemas())
}

/// The wire schemas as served: the state schema admits the state before any reset
/// (`{"episode_id": null, "step_count": 0}`), so only those two keys are required.
pub(crate) fn served_schemas() -> Value {
    let mut all = schemas();
    let state = &mut all["state"];
    state["required"] = json!(["episode_id", "step_count"]);
    state["properties"]["episode_id"]["type"] = json!(["string", "null"]);
    all
}
