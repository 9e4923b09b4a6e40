//! `GET /web`: the studio, a single page (see `docs/studio.md`) whose files are compiled into
//! the binary; nothing is fetched from elsewhere at run time. Every URL in the page is relative,
//! so it works behind a path prefix (a Space's `base_path: /web`).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::HttpError;

/// The studio's files: name, content type, contents.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", "text/html; charset=utf-8", include_str!("../../web/index.html")),
    ("studio.css", "text/css; charset=utf-8", include_str!("../../web/studio.css")),
    ("app.js", JS, include_str!("../../web/app.js")),
    ("api.js", JS, include_str!("../../web/api.js")),
    ("dom.js", JS, include_str!("../../web/dom.js")),
    ("scenarios.js", JS, include_str!("../../web/scenarios.js")),
    ("observation.js", JS, include_str!("../../web/observation.js")),
    ("forms.js", JS, include_str!("../../web/forms.js")),
    ("play.js", JS, include_str!("../../web/play.js")),
    ("graph.js", JS, include_str!("../../web/graph.js")),
    ("layout.js", JS, include_str!("../../web/layout.js")),
    ("editor.js", JS, include_str!("../../web/editor.js")),
    ("inspect.js", JS, include_str!("../../web/inspect.js")),
];

const JS: &str = "text/javascript; charset=utf-8";

/// Only the page's own files, and connections back to this server.
const POLICY: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; frame-ancestors *";

/// `GET /web`: on to `web/`, relative, so that the page's relative URLs resolve below it.
pub(crate) async fn redirect() -> Redirect {
    Redirect::permanent("web/")
}

/// `GET /web/`: the page.
pub(crate) async fn index() -> Response {
    file("index.html")
}

/// `GET /web/{file}`: one of the page's files, or 404.
pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    file(&name)
}

fn file(name: &str) -> Response {
    let Some((_, kind, text)) = FILES.iter().find(|(file, _, _)| *file == name) else {
        return HttpError::NotFound(format!("the studio has no file `{name}`")).into_response();
    };
    let mut response = (*text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
