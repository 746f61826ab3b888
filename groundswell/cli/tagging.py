"""``groundswell tag``, ``classify`` and ``eval``: the tagging pipeline from the command line."""

from __future__ import annotations

import csv
import json
import signal
import sys
from contextlib import contextmanager
from itertools import islice

import click

from groundswell.cli.options import config_option, db_option, quiet_option, read_config


def build_tagger(config, db=None, stages: list[str] | None = None):
    from groundswell.tagging.query import QueryError
    from groundswell.tagging.tagger import Tagger

    try:
        return Tagger(config, db=db, stages=stages)
    except QueryError as error:
        raise click.ClickException(str(error).splitlines()[0]) from None


@click.command()
@config_option
@db_option
@click.option(
    "--batch-size", type=int, default=None, help="mentions per batch ([model] batch_size)"
)
@click.option("--monitors", "rematch", is_flag=True,
              help="only match the tagged mentions against the [[monitor]] queries again "
              "(after you edit them; no models)")  # fmt: skip
@click.option("--redis", "redis_url", metavar="URL",
              help="queue the untagged mentions not queued yet for `groundswell tag-worker`s "
                   "in this Redis instead of tagging them here")  # fmt: skip
@quiet_option
def tag(config_path: str, db_path: str, batch_size: int | None, rematch: bool,
        redis_url: str | None, quiet: bool) -> None:  # fmt: skip
    """Tag every untagged mention: language, duplicates, monitors, sentiment, topics, keyphrases,
    intent; then run the community pass ([community] enabled).

    Resumable: a run stopped midway carries on where it stopped. With --redis, the tag
    workers tag them and `groundswell writer --tag-workers` stores their tags."""
    from groundswell.store import open_db
    from groundswell.store.runs import lease

    config = read_config(config_path, missing_ok=True)
    db = open_db(db_path)
    with lease(db, "tag") as holder:
        if holder is not None:
            click.echo(f"another tag run is in progress ({holder.describe()}); nothing done")
            return
        if rematch:
            rematch_monitors_command(config, db, config_path)
            run_community_pass(config, db)
            return
        if redis_url:
            queue_for_tag_workers(redis_url, db, db_path)
            run_community_pass(config, db)
            return
        done = recorded_tag_run(db, db_path, lambda: tag_all(
            config, db, batch_size or config.model.batch_size, quiet))  # fmt: skip
        if done is None:
            click.echo("nothing to tag")
            return
        click.echo(f"tagged {done} mention(s)")
        note = unmatched_monitors_note(config, db, config_path)
        if note:
            click.echo(note, err=True)
        run_community_pass(config, db)


class StoppedBySignal(KeyboardInterrupt):
    """SIGTERM during a tag run, raised where Ctrl+C's KeyboardInterrupt would be."""


@contextmanager
def sigterm_stops_like_ctrl_c():
    """While it lasts, SIGTERM (``systemctl stop``, ``kill``) stops the process as Ctrl+C
    does: the batch being written rolls back and the run is closed as interrupted, instead
    of the process dying with its row ``running`` until the next command notices."""

    def stop(signum, frame):
        raise StoppedBySignal(signal.Signals(signum).name)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (the library called from a thread): no handler
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def recorded_tag_run(db, db_path: str, run, summary=lambda done: {"tagged": done or 0}):
    """``run()`` recorded as a ``tag_runs`` row with a heartbeat: ok (with ``summary`` of
    what it returned: the count tagged), error, or interrupted (Ctrl+C or SIGTERM here; a
    kill -9 is found by the next command's ``open_db``)."""
    from groundswell.store.runs import Heartbeat, finish_run, start_run

    run_id = start_run(db, "tag_runs", {"tagged": 0})
    try:
        with sigterm_stops_like_ctrl_c(), Heartbeat(db_path, "tag_runs", run_id):
            done = run()
    except KeyboardInterrupt as stop:
        how = f"stopped by {stop}" if isinstance(stop, StoppedBySignal) else "stopped by Ctrl+C"
        finish_run(db, "tag_runs", run_id, status="interrupted", message=how)
        raise
    except Exception as error:
        finish_run(db, "tag_runs", run_id, status="error", message=str(error)[:500])
        raise
    finish_run(db, "tag_runs", run_id, status="ok", **summary(done))
    return done


def queue_for_tag_workers(redis_url: str, db, db_path: str) -> None:
    """Queue the untagged rest for the tag workers, recorded as a ``tag_runs`` row (what
    ``status`` shows), and say so when no tag worker is listening."""
    from groundswell.scaleout.keys import connect
    from groundswell.scaleout.tag_queue import listening_tag_workers, queue_untagged

    def queued_message(counts: tuple[int, int]) -> str:
        return f"queued {counts[0]} mention(s) for the tag workers ({counts[1]} already queued)"

    client = connect(redis_url)
    queued, waiting = recorded_tag_run(db, db_path, lambda: queue_untagged(client, db),
                                       lambda counts: {"message": queued_message(counts)})  # fmt: skip
    click.echo(queued_message((queued, waiting)))
    if (queued or waiting) and not listening_tag_workers(client):
        click.echo("no tag worker has read the queue in the last 30 s: the mentions wait "
                   "untagged until one runs (`groundswell tag-worker --redis URL --config "
                   "PATH`)", err=True)  # fmt: skip


def rematch_monitors_command(config, db, config_path: str) -> None:
    from groundswell.tagging.monitors import MonitorMatcher, rematch_monitors
    from groundswell.tagging.query import QueryError

    try:
        matcher = MonitorMatcher(config.monitor)
    except QueryError as error:
        raise click.ClickException(str(error).splitlines()[0]) from None
    matched = rematch_monitors(db, matcher)
    click.echo(f"{matched} tagged mention(s) match the monitors {', '.join(matcher.names)}")
    note = unmatched_monitors_note(config, db, config_path)
    if note:
        click.echo(note, err=True)


def tag_all(config, db, batch_size: int, quiet: bool = False) -> int | None:
    """Tag every untagged mention with progress on a terminal (loading the models, then a
    bar per batch); None when there was nothing to tag."""
    from groundswell.cli.progress import progress_display
    from groundswell.tagging.tagger import count_untagged, tag_untagged

    total = count_untagged(db)
    if not total:
        return None
    with progress_display(quiet) as progress:
        loading = progress.add_task("loading models", total=None)
        tagger = build_tagger(config, db)
        tagger.load_models()
        progress.remove_task(loading)
        task = progress.add_task("tagging", total=total)
        return tag_untagged(db, tagger, batch_size, on_batch=lambda n: progress.advance(task, n))


def unmatched_monitors_note(config, db, config_path: str) -> str | None:
    """Why share of voice will be empty: configured monitors that no stored mention matches
    (the starter config's placeholder brands, a query with a typo)."""
    if not config.monitor:
        return None
    matched = {row[0] for row in db.execute("select distinct monitor from mention_monitors")}
    unmatched = [m.name for m in config.monitor if m.name not in matched]
    if not unmatched:
        return None
    return (f"no mention matches the monitor(s) {', '.join(unmatched)}: share of voice and "
            f"the brand filters stay empty for them until their [[monitor]] query in "
            f"{config_path} names words your mentions use (then run `groundswell tag "
            "--monitors`)")  # fmt: skip


def run_community_pass(config, db) -> None:
    """The community pass after tagging ([community] enabled): reply graph, advocates, experts,
    ideas (groundswell.community)."""
    if config.community.enabled:
        from groundswell.cli.community import run_pass

        run_pass(config, db)


def stdin_batches(stream, size: int):
    lines = (line.rstrip("\n") for line in stream)
    while batch := list(islice(lines, size)):
        yield batch


def classification(tags, stages: list[str]) -> dict:
    """What the stages that ran found for one text."""
    columns = tags.columns
    found: dict = {}
    if "sentiment" in stages:
        found.update(sentiment=columns["sentiment"], score=columns["sentiment_score"],
                     confidence=columns["sentiment_confidence"])  # fmt: skip
    if "language" in stages:
        found.update(lang=columns["lang"], out_of_domain=bool(columns["out_of_domain"]))
    if "topics" in stages:
        found["topics"] = [{"name": t["topic"], "score": t["score"], "sentiment": t["sentiment"]}
                           for t in tags.topics]  # fmt: skip
    if "keyphrases" in stages:
        found["keyphrases"] = [k["phrase"] for k in tags.keyphrases]
    if "intent" in stages and "intent" in columns:
        found.update(intent=columns["intent"], intent_confidence=columns["intent_confidence"])
    return found


def parse_stages(value: str | None) -> list[str] | None:
    from groundswell.tagging.stages import check_stage_names

    if value is None:
        return None
    try:
        return check_stage_names([name.strip() for name in value.split(",") if name.strip()])
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--stages") from None


@click.command()
@config_option
@click.option("--stages", help="comma-separated stages to run (default: [tagging] stages)")
def classify(config_path: str, stages: str | None) -> None:
    """Read one text per line on stdin; print one JSON object per line (nothing is stored)."""
    config = read_config(config_path, missing_ok=True)
    chosen = parse_stages(stages) or config.tagging.stages
    tagger = build_tagger(config, stages=chosen)
    for number, batch in enumerate(stdin_batches(sys.stdin, config.model.batch_size)):
        mentions = [{"id": f"stdin-{number}-{i}", "body": text} for i, text in enumerate(batch)]
        for tags in tagger.tag(mentions).mentions:
            click.echo(json.dumps(classification(tags, chosen), ensure_ascii=False))


def read_labelled_csv(path: str) -> tuple[list[str], list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise click.ClickException(f"{path}: expected a header row with columns text,label")
        rows = [(row["text"], row["label"]) for row in reader if row["text"]]
    if not rows:
        raise click.ClickException(f"{path}: no rows")
    return [t for t, _ in rows], [label for _, label in rows]


@click.command(name="eval")
@click.argument("csv_path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--from-corrections", is_flag=True, help="score the models on the corrections stored in --db"
)
@config_option
@db_option(checked=False)
def evaluate_command(csv_path: str | None, from_corrections: bool, config_path: str,
                     db_path: str) -> None:  # fmt: skip
    """Check the sentiment model on CSV_PATH (columns text,label): macro recall, accuracy,
    confusion matrix. With --from-corrections, check sentiment and topics on the mentions
    people corrected in the database instead."""
    from groundswell.models.evaluate import evaluate, format_report, normalize_labels
    from groundswell.tagging.tagger import Tagger

    config = read_config(config_path, missing_ok=True)
    if from_corrections == bool(csv_path):
        raise click.UsageError("give a CSV file or --from-corrections (one of them)")
    if from_corrections:
        from groundswell.cli.options import require_database
        from groundswell.store import open_db
        from groundswell.tagging.corrections_eval import corrections_report

        click.echo(corrections_report(open_db(require_database(db_path)), config))
        return
    texts, labels = read_labelled_csv(csv_path)
    try:
        truth = normalize_labels(labels)
    except ValueError as error:
        raise click.ClickException(f"{csv_path}: {error}") from None
    predicted = [result.label for result in Tagger(config).predict_sentiment(texts)]
    click.echo(format_report(evaluate(truth, predicted)))
