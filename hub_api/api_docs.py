"""The OpenAPI document and Swagger UI, as FACTORY_API_DOCS (or FACTORY_ENV) says:

- `on` (local default): `/api/openapi.json` and `/docs` answer anyone;
- `signed-in` (production default): the document needs an operator's token; `/docs` is an
  empty Swagger UI shell that loads the document with the token of the Hub UI's session in
  the same browser tab (and uses it for "Try it out"), else says to sign in first;
- `off`: neither exists.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from hub_api.deps import current_operator

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/docs"
_SWAGGER_JS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"
_SWAGGER_CSS = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
# The UI keeps its session in sessionStorage["factory.session"] (ui/src/auth/session.ts).
_SIGNED_IN_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>__TITLE__</title>
<link rel="stylesheet" href="__CSS__"></head>
<body><div id="swagger-ui"></div>
<script src="__JS__"></script>
<script>
function sessionToken() {
  try {
    const s = JSON.parse(window.sessionStorage.getItem("factory.session") || "null");
    return s && typeof s.token === "string" && s.expiresAt > Date.now() ? s.token : null;
  } catch (e) { return null; }
}
const token = sessionToken();
if (!token) {
  document.getElementById("swagger-ui").textContent =
    "The API documentation needs sign-in: sign in to the Hub at / in this tab, then open /docs again.";
} else {
  SwaggerUIBundle({url: "__OPENAPI__", dom_id: "#swagger-ui",
    requestInterceptor: (req) => { req.headers["Authorization"] = "Bearer " + token; return req; }});
}
</script></body></html>
"""


def install(app: FastAPI, mode: str) -> None:
    if mode == "off":
        return
    guard = [Depends(current_operator)] if mode == "signed-in" else []

    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_api_route(OPENAPI_URL, openapi, methods=["GET"], include_in_schema=False, dependencies=guard)
    if mode == "signed-in":
        page = (_SIGNED_IN_PAGE.replace("__TITLE__", app.title).replace("__CSS__", _SWAGGER_CSS)
                .replace("__JS__", _SWAGGER_JS).replace("__OPENAPI__", OPENAPI_URL))

        async def docs() -> HTMLResponse:
            return HTMLResponse(page, headers={"Cache-Control": "no-store"})
    else:
        async def docs() -> HTMLResponse:
            return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=app.title + " — Swagger UI")

    app.add_api_route(DOCS_URL, docs, methods=["GET"], include_in_schema=False)
