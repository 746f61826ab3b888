"""``groundswell searches``: the saved searches, their new matches, and their daily email."""

from __future__ import annotations

import click

from groundswell.cli.options import config_option, db_option, read_config


@click.command("searches")
@click.option("--email", "send", is_flag=True,
              help="email each saved search's new matches to its address via [smtp]")  # fmt: skip
@config_option
@db_option
def searches(send: bool, config_path: str, db_path: str) -> None:
    """Saved searches (made in Datasette): list them, or email their new matches."""
    from groundswell.digest.searches import email_saved_searches
    from groundswell.store import open_db
    from groundswell.store.saved_searches import list_searches, search_matches

    db = open_db(db_path)
    if send:
        config = read_config(config_path, missing_ok=True)
        sent = email_saved_searches(db, config)
        for item in sent:
            click.echo(f"{item.search}: {item.mentions} new mention(s) sent to {item.address}")
        click.echo(f"emailed {len(sent)} saved search(es)")
        return
    found = list_searches(db)
    for search in found:
        matches = len(search_matches(db, search["name"]))
        email = f", emailed daily to {search['email']}" if search.get("email") else ""
        click.echo(f"{search['name']}: {matches} recent match(es){email}")
    if not found:
        click.echo("no saved searches yet: save one from the mentions page in Datasette")
