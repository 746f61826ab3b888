"""``groundswell community``, ``ideas`` and ``advocates``: the community pass and its lists."""

from __future__ import annotations

import json

import click

from groundswell.cli.options import config_option, db_option, read_config

IDEA_COLUMNS = ("id", "status", "mentions", "authors", "votes", "last_seen", "name")
ADVOCATE_COLUMNS = ("monitor", "platform", "author", "score", "positive_mentions", "defences",
                    "answers", "accepted_answers", "reach", "last_seen")  # fmt: skip
DEFENDER_COLUMNS = ("monitor", "platform", "defender", "defences", "critics_answered",
                    "last_defence", "latest_url")  # fmt: skip


def run_pass(config, db) -> None:
    from groundswell.community import run_community_pass

    click.echo(run_community_pass(db, config).summary())


@click.command()
@config_option
@db_option
def community(config_path: str, db_path: str) -> None:
    """Rebuild the reply graph, ties, defenders, candidate advocates, experts and ideas."""
    from groundswell.store import open_db

    run_pass(read_config(config_path, missing_ok=True), open_db(db_path))


def print_rows(rows: list[dict], columns: tuple[str, ...], title: str, as_json: bool) -> None:
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no {title} yet (run `groundswell tag` or `groundswell community`)")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    Console(width=200).print(table)


@click.group(invoke_without_command=True)
@db_option
@click.option("--status", type=click.Choice(["new", "planned", "shipped", "declined"]))
@click.option("--limit", default=20, show_default=True, help="ideas shown")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
@click.pass_context
def ideas(ctx, db_path: str, status: str | None, limit: int, as_json: bool) -> None:
    """List ideas (feature requests grouped), most requested first."""
    if ctx.invoked_subcommand:
        return
    from groundswell.store import open_db

    where, params = ("where status = ?", [status]) if status else ("", [])
    sql = (f"select * from ideas {where} order by mentions desc, authors desc, last_seen desc "
           "limit ?")  # fmt: skip
    rows = [dict(r) for r in open_db(db_path).query(sql, [*params, limit])]
    print_rows(rows, IDEA_COLUMNS, "ideas", as_json)


@ideas.command(name="status")
@click.argument("idea")
@click.argument("status", type=click.Choice(["new", "planned", "shipped", "declined"]))
@db_option
def idea_status(idea: str, status: str, db_path: str) -> None:
    """Set IDEA's status (its id, or the start of it)."""
    from groundswell.community.ideas import set_idea_status
    from groundswell.store import open_db

    row = set_idea_status(open_db(db_path), idea, status)
    click.echo(f"{row['id']}: {row['status']} ({row['name']})")


@click.command()
@db_option
@click.option("--monitor", help="only this monitor's advocates")
@click.option("--defenders", is_flag=True, help="list defenders (who stepped in) instead")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def advocates(db_path: str, monitor: str | None, defenders: bool, limit: int,
              as_json: bool) -> None:  # fmt: skip
    """List candidate advocates (or defenders) of your monitored brands, best first."""
    from groundswell.store import open_db

    where, params = ("where monitor = ?", [monitor]) if monitor else ("", [])
    if defenders:
        sql = f"select * from defenders {where} order by defences desc, last_defence desc limit ?"
        columns, title = DEFENDER_COLUMNS, "defenders"
    else:
        sql = f"select * from candidate_advocates {where} order by score desc, author limit ?"
        columns, title = ADVOCATE_COLUMNS, "candidate advocates"
    rows = [dict(r) for r in open_db(db_path).query(sql, [*params, limit])]
    print_rows(rows, columns, title, as_json)
