"""The page document asks the browser to load, from the start, the front-end scripts the pages need.

Streamlit's front end loads the script of an element type (a metric, a button group, a download
button, an image …) only when the first element of that type arrives, after the page's script has
run on the server: a second round of requests and compiling on the reader's critical path (measured:
the last ~0.1–0.3 s before a page is ready, every new visitor). The document already lists the core
scripts as ``<link rel="modulepreload">``; :class:`PreloadChunks` (ASGI middleware, app.py) adds the
scripts of the element types this app shows on nearly every page, so the browser fetches and
compiles them while it waits for the server.

The scripts' file names carry a content hash that changes with every Streamlit release: they are
found at start in Streamlit's own static folder by their stable prefix; a prefix that matches no
file or several is left out (nothing breaks: that element's script loads as before).
"""
from __future__ import annotations

import html
from pathlib import Path

# element scripts (and their helpers) that the pages load after their first run, most pages first:
# found with a browser recording which scripts each page requests after the document (bench notes)
CHUNKS = ("ButtonGroup", "Checkbox", "checkboxIndicatorStyles", "WidgetLabel", "WidgetLabelHelpIconInline",
          "WidgetLabelHelpIcon", "useBasicWidgetState", "useFormReset", "useFormValidation", "useSlot",
          "DownloadButton", "createDownloadLinkElement", "ImageList", "withFullScreenWrapper", "Metric",
          "numbro", "formatNumber", "sprintfjs", "printWidthCap", "CustomTheme", "requiredField",
          "ErrorOutline.esm")

_SKIP = ("/_stcore", "/static", "/media", "/component", "/app/static", "/favicon", "/manifest")


def static_dir() -> Path:
    import streamlit
    return Path(streamlit.__file__).resolve().parent / "static"


def chunk_files(root: Path | None = None, names=CHUNKS) -> list[str]:
    """``static/js/<name>.<hash>.js`` for each name with exactly one such file."""
    js = (root or static_dir()) / "static" / "js"
    out = []
    for name in names:
        found = [p.name for p in js.glob(f"{name}.*.js") if p.name.count(".") == name.count(".") + 2]
        if len(found) == 1:
            out.append(found[0])
    return out


def links(files: list[str]) -> bytes:
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{html.escape(f)}">'
                   for f in files).encode("ascii")


class PreloadChunks:
    """ASGI middleware: adds :data:`CHUNKS`' modulepreload links to Streamlit's page document (an
    uncompressed ``text/html`` answer to a GET of a page address); every other answer passes as is."""

    def __init__(self, app, files: list[str] | None = None):
        self.app = app
        self.tags = links(chunk_files() if files is None else files)

    async def __call__(self, scope, receive, send):
        if (not self.tags or scope["type"] != "http" or scope.get("method") != "GET"
                or scope.get("path", "").startswith(_SKIP)):
            await self.app(scope, receive, send)
            return
        held: dict = {}
        body: list[bytes] = []

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                if (message.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html")
                        and b"content-encoding" not in headers):
                    held["start"] = message          # the document: held until its body is complete
                    return
                await send(message)
            elif message["type"] == "http.response.body" and "start" in held:
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                doc = b"".join(body)
                if b"</head>" in doc:
                    doc = doc.replace(b"</head>", self.tags + b"</head>", 1)
                start = held.pop("start")
                headers = [(k, v) for k, v in start.get("headers", [])
                           if k.lower() not in (b"content-length", b"etag")]
                headers.append((b"content-length", str(len(doc)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": doc})
            else:
                await send(message)

        await self.app(scope, receive, send_wrapped)
