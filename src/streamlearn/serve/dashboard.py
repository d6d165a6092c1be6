"""The live dashboard at ``/``: one HTML page and a small script that poll the JSON API.

Everything it needs is served by the app itself (no CDN, no network): its own files from
``static/`` and plotly.js from the installed ``plotly`` package (extra ``serve``). Without
plotly the page still shows counters and versions, and says how to get the charts.
"""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

PLOTLY_MISSING = ("The charts need plotly.js, from the 'plotly' package: "
                  "pip install 'streamlearn[serve]'")

# plotly.js never changes under a given URL (its version is in the query string)
LONG_CACHE = "public, max-age=31536000, immutable"
# our own files change with streamlearn: the browser revalidates them
SHORT_CACHE = "no-cache"
# the page loads nothing from elsewhere; plotly adds inline <style> elements
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; "
                           "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'")

_OWN_FILES = {"dashboard.js": "text/javascript; charset=utf-8",
              "dashboard.css": "text/css; charset=utf-8"}


def _static(name: str) -> str:
    return (resources.files("streamlearn.serve") / "static" / name).read_text("utf-8")


def plotly_js() -> tuple[Path, str] | None:
    """The installed ``plotly.min.js`` and plotly's version, or None without plotly."""
    try:
        import plotly
    except ImportError:
        return None
    path = resources.files("plotly") / "package_data" / "plotly.min.js"
    if not isinstance(path, Path) or not path.is_file():
        return None
    return path, plotly.__version__


def _page(model_name: str, plotly: tuple[Path, str] | None) -> str:
    if plotly is None:
        script = ""
        notice = f'<p class="notice" id="plotly-missing">{html.escape(PLOTLY_MISSING)}</p>'
    else:
        script = f'<script src="/static/plotly.min.js?v={html.escape(plotly[1])}"></script>'
        notice = ""
    return (_static("index.html")
            .replace("{{model}}", html.escape(model_name))
            .replace("{{plotly_script}}", script)
            .replace("{{plotly_notice}}", notice))


def add_dashboard(app: FastAPI) -> None:
    """Serve the dashboard at ``/`` and its files under ``/static/`` on ``app``."""
    model_name = app.state.service.name

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard() -> HTMLResponse:
        return HTMLResponse(_page(model_name, plotly_js()),
                            headers={"Cache-Control": SHORT_CACHE,
                                     "Content-Security-Policy": CONTENT_SECURITY_POLICY})

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_script() -> FileResponse:
        found = plotly_js()
        if found is None:
            raise HTTPException(404, PLOTLY_MISSING)
        return FileResponse(found[0], media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": LONG_CACHE})

    @app.get("/static/{name}", include_in_schema=False)
    def own_file(name: str) -> Response:
        if name not in _OWN_FILES:
            raise HTTPException(404, f"no dashboard file named {name!r}")
        return Response(_static(name), media_type=_OWN_FILES[name],
                        headers={"Cache-Control": SHORT_CACHE})
