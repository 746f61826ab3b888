from __future__ import annotations

import httpx

from groundswell.crawl.replay import declared_charset


def test_serves_recorded_bytes_with_type_and_declared_charset(replay):
    root, base = replay
    (root / "a.json").write_text('{"x": 1}')
    page = '<html><head><meta charset="ISO-8859-1"></head><body>caf\xe9</body></html>'
    (root / "page.html").write_bytes(page.encode("latin-1"))
    (root / "feed.xml").write_text('<?xml version="1.0" encoding="utf-8"?><rss/>')
    response = httpx.get(f"{base}/a.json")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"x": 1}
    html = httpx.get(f"{base}/page.html")
    assert html.headers["content-type"] == "text/html; charset=iso-8859-1"
    assert html.content == page.encode("latin-1")
    assert "charset=utf-8" in httpx.get(f"{base}/feed.xml").headers["content-type"]


def test_query_strings_map_to_literal_files_else_the_path(replay):
    root, base = replay
    (root / "search.json").write_text('{"page": 0}')
    (root / "search.json?page=1").write_text('{"page": 1}')
    assert httpx.get(f"{base}/search.json?page=1").json() == {"page": 1}
    assert httpx.get(f"{base}/search.json?page=7").json() == {"page": 0}
    assert httpx.get(f"{base}/search").json() == {"page": 0}


def test_unknown_paths_and_escapes_are_404(replay):
    root, base = replay
    (root.parent / "secret.txt").write_text("no")
    assert httpx.get(f"{base}/nope.html").status_code == 404
    assert httpx.get(f"{base}/..%2Fsecret.txt").status_code == 404


def test_declared_charset():
    assert (
        declared_charset(
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        )
        == "windows-1252"
    )
    assert declared_charset(b"<html>") is None
