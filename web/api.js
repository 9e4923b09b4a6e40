// The server's routes, addressed relative to the page (which is served at `<prefix>/web/`), so
// the studio works behind a path prefix.

/** The absolute URL of a server route such as `scenarios`. */
export function route(path) {
  return new URL(`../${path}`, document.baseURI).href;
}

/** GET a route; `{status, body}` with the body parsed as JSON (text when it is not JSON). */
export async function get(path) {
  return answer(await fetch(route(path)));
}

/** POST JSON to a route; `{status, body, headers}`. */
export async function post(path, body) {
  return answer(await fetch(route(path), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  }));
}

async function answer(response) {
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
  return { status: response.status, ok: response.ok, body, headers: response.headers };
}

/** The `detail` of an error answer as one line. */
export function detail(answer) {
  const d = answer.body && answer.body.detail;
  if (Array.isArray(d)) return d.map((v) => `${(v.loc || []).join(".")}: ${v.msg}`).join("; ");
  return typeof d === "string" ? d : `HTTP ${answer.status}`;
}

/** The URL of the WebSocket session route. */
export function socketUrl() {
  const url = new URL(route("ws"));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** Offers `text` as a file download named `name`. */
export function download(name, text, type = "application/x-ndjson") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
