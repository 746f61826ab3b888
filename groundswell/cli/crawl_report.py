"""``groundswell crawl``'s report: a line per source as it finishes, progress meanwhile (on a
terminal), a summary at the end."""

from __future__ import annotations

import click


class CrawlReport:
    """A line per source as it finishes (status, pages, new, updated, errors), progress on a
    terminal meanwhile, and a summary that fails the command if any source failed."""

    def __init__(self, db_path: str, total: int, quiet: bool = False) -> None:
        from groundswell.cli.progress import progress_display

        self.db_path, self.total = db_path, total
        self.rows: list[dict] = []
        self.failed: list = []
        self.progress = progress_display(quiet)
        self.task = self.progress.add_task("crawling", total=total)

    def __enter__(self) -> CrawlReport:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def started(self, source: str) -> None:
        self.progress.update(self.task, description=f"crawling {source}")

    def finished(self, result) -> None:
        from groundswell.store import open_db, source_status

        if result.ok and result.reason:  # not run: another crawl of the source is under way
            click.echo(result.reason)
            self.progress.advance(self.task)
            return
        rows = {row["source"]: row for row in source_status(open_db(self.db_path))}
        row = rows.get(result.source, {})
        self.rows.append(row)
        if not result.ok:
            self.failed.append(result)
        click.echo(f"{result.source}: {row.get('status')} pages={row.get('pages')} "
                   f"new={row.get('new')} updated={row.get('updated')} errors={row.get('errors')}")  # fmt: skip
        self.progress.advance(self.task)

    def conclude(self) -> None:
        new = sum(row.get("new") or 0 for row in self.rows)
        updated = sum(row.get("updated") or 0 for row in self.rows)
        ok = len(self.rows) - len(self.failed)
        failed = f", {len(self.failed)} failed" if self.failed else ""
        click.echo(f"crawled {len(self.rows)} source(s): {ok} ok{failed}; "
                   f"{new} new and {updated} updated mention(s)")  # fmt: skip
        if self.failed:
            raise click.ClickException("; ".join(r.reason or r.source for r in self.failed))
