"""``groundswell run``: the scheduler plus Datasette in one process tree.

Every job runs as a child process (a crawl, ``groundswell tag``, ``alerts``, ``digest``), so a
hung or crashed job is stopped by its timeout, recorded, and never takes the scheduler down.
SIGINT/SIGTERM stop new jobs, give running ones ``shutdown_grace`` seconds to finish (a crawl
finishes the pages it is fetching on SIGTERM; ``groundswell tag`` stops at once, its batch
rolled back and its run recorded as ``interrupted``: the next tag run tags that batch again),
then stop them.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from groundswell.config import Config
from groundswell.crawl.launch import EXIT_BUSY
from groundswell.schedule.jobs import JobSpec, build_job_specs, trigger_for
from groundswell.schedule.logs import log_event, setup_event_log
from groundswell.schedule.state import job_state, record_job_end, record_job_start
from groundswell.store import close_open_crawl_runs, open_db, save_sources

GROUNDSWELL = [sys.executable, "-m", "groundswell.cli"]


def job_command(job_id: str, kwargs: dict) -> list[str]:
    paths = ["--config", kwargs["config_path"], "--db", kwargs["db_path"]]
    if job_id.startswith("crawl:"):
        return [
            sys.executable,
            "-m",
            "groundswell.crawl.run",
            "crawl",
            *paths,
            "--source",
            kwargs["source"],
        ]
    extra = {"digest": ["--send"], "searches": ["--email"]}.get(job_id, [])
    return [*GROUNDSWELL, job_id, *paths, *extra]


class Runner:
    def __init__(self, config: Config, config_path: str, db_path: str,
                 redis_url: str | None = None, tag_workers: bool = False) -> None:  # fmt: skip
        self.config = config
        self.config_path = config_path
        self.db_path = db_path
        self.redis_url = redis_url  # crawls go to the fleet's workers (groundswell worker)
        self.tag_workers = tag_workers  # tagging too (groundswell tag-worker)
        self.children: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 300},
        )

    def job_timeout(self, job_id: str) -> float:
        if job_id.startswith("crawl:"):
            return self.config.crawl.timeout
        return self.config.schedule.job_timeout

    def run_job(self, spec: JobSpec) -> None:
        if self.stopping.is_set():
            return
        db = open_db(self.db_path)
        record_job_start(db, spec.job_id, spec.period_seconds)
        log_event("job_start", job=spec.job_id)
        if spec.job_id.startswith("crawl:") and self.redis_url:
            error = self.enqueue_crawl(spec.kwargs["source"])
        else:
            error = self.run_child(spec.job_id, self.command_for(spec))
        record_job_end(db, spec.job_id, error)
        log_event("job_end", job=spec.job_id, status="error" if error else "ok", error=error)
        if spec.job_id.startswith("crawl:") and not self.stopping.is_set():
            self.scheduler.modify_job("tag", next_run_time=datetime.now(timezone.utc))

    def command_for(self, spec: JobSpec) -> list[str]:
        """The job's child process; with tag workers, tagging only queues what is untagged and
        not queued yet (the writer queues what it stores) and runs the community pass."""
        command = job_command(spec.job_id, spec.kwargs)
        if spec.job_id == "tag" and self.tag_workers:
            command += ["--redis", self.redis_url]
        return command

    def enqueue_crawl(self, source: str) -> str | None:
        """Queue the crawl for the workers; the writer child stores what they find."""
        from groundswell.scaleout.jobs import enqueue_crawl
        from groundswell.scaleout.keys import connect

        try:
            job_id = enqueue_crawl(connect(self.redis_url), self.config,
                                   self.config.source_named(source))  # fmt: skip
        except Exception as error:  # Redis down: recorded as the job's error, retried next time
            return f"could not queue the crawl in Redis: {error}"
        log_event("crawl_queued", source=source, job_id=job_id)
        return None

    def run_child(self, job_id: str, command: list[str]) -> str | None:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)  # fmt: skip
        with self.lock:
            self.children.add(process)
        try:
            _, stderr = process.communicate(timeout=self.job_timeout(job_id))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            error = f"timed out after {self.job_timeout(job_id):.0f}s"
            self.close_crawl_runs(job_id, "error", f"crawl {error}", process.pid)
            return error
        finally:
            with self.lock:
                self.children.discard(process)
        if process.returncode in (0, EXIT_BUSY):  # busy: another crawl of the source runs
            return None
        if process.returncode < 0:  # ended by a signal before it could record its run
            self.close_crawl_runs(job_id, "interrupted", f"stopped by signal {-process.returncode}",
                                  process.pid)  # fmt: skip
        lines = [line for line in (stderr or "").splitlines() if line.strip()]
        return lines[-1] if lines else f"exit status {process.returncode}"

    def close_crawl_runs(self, job_id: str, status: str, message: str, pid: int) -> None:
        if job_id.startswith("crawl:"):
            close_open_crawl_runs(
                open_db(self.db_path), job_id.removeprefix("crawl:"), status, message, pid
            )

    def schedule_jobs(self) -> None:
        db = open_db(self.db_path)
        save_sources(db, self.config.source)
        now = datetime.now(timezone.utc)
        tasks = {name: self.run_job for name in ("crawl", "tag", "alerts", "digest", "searches")}
        for spec in build_job_specs(self.config, self.config_path, self.db_path, tasks):
            trigger = trigger_for(spec, job_state(db, spec.job_id).get("last_started"), now)
            self.scheduler.add_job(self.run_job, trigger, args=[spec], id=spec.job_id,
                                   name=spec.job_id, replace_existing=True)  # fmt: skip
            job = self.scheduler.get_job(spec.job_id)
            log_event("job_scheduled", job=spec.job_id, schedule=spec.schedule,
                      next_run=getattr(job, "next_run_time", None))  # fmt: skip

    def request_stop(self, *_signal_args) -> None:
        """Signal handler: only flags; ``run_forever`` does the orderly stop."""
        self.stopping.set()

    def stop_children(self, grace: float) -> None:
        with self.lock:
            children = list(self.children)
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(grace)
            except subprocess.TimeoutExpired:
                child.kill()
                log_event("job_killed", pid=child.pid)

    def start_datasette(self, host: str, port: int) -> subprocess.Popen:
        command = [*GROUNDSWELL, "serve", "--db", self.db_path, "--host", host, "--port", str(port)]
        log_event("datasette_started", url=f"http://{host}:{port}/groundswell")
        return subprocess.Popen(command)

    def writer_command(self) -> list[str]:
        command = [*GROUNDSWELL, "writer", "--redis", self.redis_url, "--config",
                   self.config_path, "--db", self.db_path]  # fmt: skip
        return [*command, "--tag-workers"] if self.tag_workers else command

    def start_writer(self) -> subprocess.Popen:
        log_event("writer_started", redis=self.redis_url, tag_workers=self.tag_workers)
        return subprocess.Popen(self.writer_command())

    def run_forever(self, host: str = "127.0.0.1", port: int | None = 8001) -> None:
        """Schedule every job, serve Datasette beside it (and, with Redis, the writer that
        stores what the workers crawl), and block until SIGINT/SIGTERM."""
        setup_event_log()
        datasette = self.start_datasette(host, port) if port else None
        writer = self.start_writer() if self.redis_url else None
        self.scheduler.start(paused=True)
        self.schedule_jobs()
        self.scheduler.resume()
        log_event("scheduler_started", jobs=len(self.scheduler.get_jobs()))
        while not self.stopping.wait(1):
            pass
        log_event("shutdown", running=len(self.children))
        self.scheduler.pause()
        self.stop_children(self.config.schedule.shutdown_grace)
        self.scheduler.shutdown(wait=True)
        for child in (datasette, writer):
            if child:
                child.terminate()
                child.wait(10)
        log_event("stopped")


def install_signal_handlers(runner: Runner) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, runner.request_stop)
