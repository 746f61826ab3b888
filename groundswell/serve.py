"""Datasette over the groundswell database, published as ``/groundswell`` whatever the file name."""

from __future__ import annotations

import json
from pathlib import Path

DATABASE_NAME = "groundswell"
METADATA_FILE = Path(__file__).resolve().parent.parent / "datasette_metadata.json"


def load_metadata(path: Path = METADATA_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def make_datasette(db_path: str | Path, metadata_path: Path = METADATA_FILE):
    """A Datasette instance serving ``db_path`` read-only to visitors as ``/groundswell``."""
    from datasette.app import Datasette
    from datasette.database import Database

    ds = Datasette(
        [],
        metadata=load_metadata(metadata_path),
        settings={"default_page_size": 50, "sql_time_limit_ms": 3000, "allow_download": False},
    )
    ds.add_database(Database(ds, path=str(db_path), is_mutable=True), name=DATABASE_NAME)
    return ds


def serve_datasette(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette until interrupted."""
    import uvicorn

    uvicorn.run(make_datasette(db_path).app(), host=host, port=port, log_level="warning")
