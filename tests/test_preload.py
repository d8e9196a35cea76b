"""The page document preloads the element scripts the pages need (ui/preload.py): the links are
added to Streamlit's document only, with a correct length, and every other answer passes unchanged."""
from __future__ import annotations

import asyncio

import pytest

from ui import preload

DOC = b"<!doctype html><html><head><title>x</title></head><body><div id=root></div></body></html>"


def _app(body: bytes, content_type: bytes, status: int = 200, extra=(), chunks: int = 1):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"etag", b'"abc"'), *extra]})
        step = max(1, len(body) // chunks)
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})
    return app


def _get(app, path="/", method="GET"):
    sent = []

    async def send(m):
        sent.append(m)

    async def receive():
        return {"type": "http.request"}
    mw = preload.PreloadChunks(app, files=["Metric.AbC123_x.js", "ButtonGroup.Zz9-8yQ0.js"])
    asyncio.run(mw({"type": "http", "method": method, "path": path}, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start, dict(start["headers"]), body


@pytest.mark.parametrize("path", ["/", "/resolution", "/explore"])
@pytest.mark.parametrize("chunks", [1, 4])
def test_the_document_gets_the_links_with_its_new_length(path, chunks):
    start, headers, body = _get(_app(DOC, b"text/html; charset=utf-8", chunks=chunks), path)
    assert start["status"] == 200
    assert body.count(b'rel="modulepreload"') == 2
    assert b'href="./static/js/Metric.AbC123_x.js"><link' in body and b'ButtonGroup.Zz9-8yQ0.js"></head>' in body
    assert body.replace(preload.links(["Metric.AbC123_x.js", "ButtonGroup.Zz9-8yQ0.js"]), b"") == DOC
    assert headers[b"content-length"] == str(len(body)).encode()
    assert b"etag" not in headers            # not the file's tag: this is another document


@pytest.mark.parametrize("case", [
    dict(path="/static/js/index.js", ct=b"text/html"),                 # a static file
    dict(path="/_stcore/health", ct=b"text/html"),
    dict(path="/", ct=b"application/javascript"),                      # not a document
    dict(path="/", ct=b"text/html", extra=((b"content-encoding", b"gzip"),)),   # compressed
    dict(path="/", ct=b"text/html", status=304),
    dict(path="/", ct=b"text/html", method="HEAD"),
])
def test_everything_else_passes_unchanged(case):
    start, headers, body = _get(_app(DOC, case["ct"], case.get("status", 200), case.get("extra", ())),
                                case["path"], case.get("method", "GET"))
    assert body == DOC and headers[b"content-length"] == str(len(DOC)).encode() and headers[b"etag"] == b'"abc"'


def test_the_installed_streamlit_has_the_scripts_named():
    """The prefixes still name one script each in the installed Streamlit (a release that renamed
    them would silently lose the preloading: this test says so)."""
    files = preload.chunk_files()
    assert len(files) >= len(preload.CHUNKS) - 2, sorted(set(preload.CHUNKS) - {f.split(".")[0] for f in files})
    for f in files:
        assert (preload.static_dir() / "static" / "js" / f).is_file()
    # an ambiguous or missing prefix is left out
    assert preload.chunk_files(names=("NoSuchElement",)) == []


def test_the_served_document_preloads(tmp_path):
    """app.py installs the middleware: a running server's pages carry the links."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, ODR_DB=str(tmp_path / "none.duckdb"), ODR_WARM_UP="0")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/resolution", timeout=2) as r:
                    doc = r.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        for f in preload.chunk_files():
            assert f'href="./static/js/{f}"'.encode() in doc
    finally:
        proc.terminate()
        proc.wait(30)
