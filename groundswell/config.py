"""``groundswell.toml``: one validated configuration object for every command.

``load_config(path)`` reads TOML and validates it with pydantic; any problem raises
``ConfigError`` whose message names the file, the key and what was expected.
"""

from __future__ import annotations

import logging
import re
import tomllib
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from groundswell.errors import GroundswellError, did_you_mean
from groundswell.tagging.stages import DEFAULT_STAGES, check_stage_names

log = logging.getLogger(__name__)

DEFAULT_CONFIG = "groundswell.toml"
DEFAULT_DB = "groundswell.db"
DEFAULT_USER_AGENT = (
    "groundswell/0.1 (social listening crawler; +https://github.com/groundswell/groundswell)"
)
INTERVAL_PATTERN = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_SECONDS = 10  # shorter is back-to-back running, not a schedule
CRON_FIELDS = 5
IDEA_DISTANCE = 0.275  # calibrated by bench/idea_clustering.py (see docs/community.md)


def check_schedule(value: str) -> str:
    """'every N[s|m|h|d]' or a 5-field cron expression that APScheduler accepts."""
    from apscheduler.triggers.cron import CronTrigger

    value = value.strip()
    if match := INTERVAL_PATTERN.match(value):
        if int(match.group(1)) * UNIT_SECONDS[match.group(2)] < MIN_INTERVAL_SECONDS:
            raise ValueError(
                f"{value!r} is too often: the shortest interval is every {MIN_INTERVAL_SECONDS}s"
            )
        return value
    if len(value.split()) == CRON_FIELDS:
        try:
            CronTrigger.from_crontab(value)
        except ValueError as error:
            raise ValueError(f"not a valid cron expression: {error}") from None
        return value
    raise ValueError("expected 'every N[s|m|h|d]' or a 5-field cron expression")


class ConfigError(GroundswellError, ValueError):
    """The configuration file is missing, not TOML, or holds a wrong key or value."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ``max_pages`` counted every request, thread pages included, so a 100-post listing fetched
# the same first threads on every crawl; it now sets the listing budget only.
MAX_PAGES_DEPRECATED = (
    "max_pages is deprecated: it now sets max_listing_pages (pages of the listing); thread "
    "pages have their own budget, max_thread_pages"
)


def migrate_max_pages(data):
    """``max_pages = N`` → ``max_listing_pages = N`` (an error beside the new key)."""
    if not isinstance(data, dict) or "max_pages" not in data:
        return data
    data = dict(data)
    if "max_listing_pages" in data:
        raise ValueError("max_pages is replaced by max_listing_pages and max_thread_pages: "
                         "remove max_pages")  # fmt: skip
    data["max_listing_pages"] = data.pop("max_pages")
    return data


class DatabaseConfig(Section):
    path: str = DEFAULT_DB


class CrawlConfig(Section):
    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    download_delay: float = Field(1.0, ge=0)
    concurrency_per_domain: int = Field(1, ge=1, le=16)
    retries: int = Field(3, ge=0, le=10)
    backoff_base: float = Field(2.0, ge=0, description="seconds; doubled on each retry")
    backoff_max: float = Field(60.0, ge=0)
    max_listing_pages: int = Field(
        10, ge=1, description="listing pages (start page, next pages) per crawl of one source"
    )
    max_thread_pages: int = Field(
        300, ge=1, description="thread pages per crawl of one source; the rest wait in the "
        "frontier for the next crawl, oldest first"
    )  # fmt: skip
    timeout: float = Field(900, gt=0, description="seconds before a crawl subprocess is stopped")
    max_page_mb: float = Field(
        10, gt=0, le=1024, description="a page larger than this is not downloaded or parsed "
        "(a crawl note says so)"
    )  # fmt: skip
    browser_path: str | None = Field(
        None, description="Chromium for render = true sources; default: chromium on PATH"
    )

    @model_validator(mode="before")
    @classmethod
    def max_pages_sets_the_listing_budget(cls, data):
        return migrate_max_pages(data)


class ModelConfig(Section):
    encoder: str = "all-MiniLM-L6-v2"
    sentiment: str | None = None
    batch_size: int = Field(256, ge=1)
    shared_graph: Literal["student", "joint"] = Field(
        "student",
        description="the shipped models' one pass per text: the 4-layer student, or the "
        "8-layer joint graph it was distilled from (slower, closer to the full models)",
    )
    problem_cues: bool = Field(
        True,
        description="a text the model reads positive that states a product problem (times "
        "out, slow, crashes, costs extra...) and praises nothing reads negative "
        "(groundswell/tagging/problem_cues.py)",
    )


class TaggingConfig(Section):
    stages: list[str] = Field(
        list(DEFAULT_STAGES), description="the tagging stages to run, in order (by name)"
    )

    @field_validator("stages")
    @classmethod
    def stages_are_registered(cls, names: list[str]) -> list[str]:
        return check_stage_names(names)


class ScheduleConfig(Section):
    tag: str = "every 2m"
    alerts: str = "every 5m"
    job_timeout: float = Field(
        1800, gt=0, description="seconds before a tag/alerts/digest job is stopped"
    )
    shutdown_grace: float = Field(
        20, ge=0, description="seconds running jobs get to finish on stop"
    )

    @field_validator("tag", "alerts")
    @classmethod
    def schedule_is_interval_or_cron(cls, value: str) -> str:
        return check_schedule(value)


class CommunityConfig(Section):
    """``[community]``: the reply graph, advocates, experts and ideas (docs/community.md)."""

    enabled: bool = Field(True, description="run the community pass after tagging")
    vendor_accounts: list[str] = Field(
        [], description="staff accounts on every source (added to each source's own list)"
    )
    half_life_days: float = Field(30, gt=0, description="tie recency: days for it to halve")
    min_advocate_mentions: int = Field(
        2, ge=1, description="positive mentions and defences that make a candidate advocate"
    )
    expert_similarity: float = Field(
        0.5, ge=0, le=1, description="cosine similarity of an open question to an answered one"
    )
    experts_per_question: int = Field(3, ge=1, le=20)
    idea_distance: float = Field(
        IDEA_DISTANCE, gt=0, lt=2, description="cosine distance within an idea (calibrated)"
    )
    idea_linkage: Literal["average", "complete", "single"] = "average"


class MonitorConfig(Section):
    name: str
    query: str
    competitor: bool = False


class SourceConfig(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: str
    url: str
    schedule: str = "every 6h"
    enabled: bool = True
    vendor_accounts: list[str] = []
    max_listing_pages: int | None = Field(None, ge=1, description="default: [crawl]'s")
    max_thread_pages: int | None = Field(None, ge=1, description="default: [crawl]'s")
    recrawl_days: float = Field(
        7, ge=0, description="threads with a mention this recent are fetched again for replies"
    )
    allowed_hosts: list[str] = Field(
        [], description="other hosts this source may request (\"host\" or \"host:port\"); "
        "a crawl requests only the source URL's host and port and these (docs/sources.md)"
    )  # fmt: skip
    render: bool = Field(False, description="run the page's JavaScript in Chromium first")
    render_wait_for: str | None = Field(
        None, min_length=1, description="CSS selector to wait for; default: network idle"
    )

    @model_validator(mode="before")
    @classmethod
    def max_pages_sets_the_listing_budget(cls, data):
        return migrate_max_pages(data)

    @model_validator(mode="after")
    def wait_only_when_rendering(self) -> SourceConfig:
        if self.render_wait_for and not self.render:
            raise ValueError("render_wait_for needs render = true")
        return self

    @field_validator("url")
    @classmethod
    def url_is_http(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("schedule")
    @classmethod
    def schedule_is_interval_or_cron(cls, value: str) -> str:
        return check_schedule(value)


class TopicConfig(Section):
    """One ``[[topic]]``: what it is about (a description, keywords, example sentences), its
    attributes (a two-level taxonomy: food -> quality, prices) and whether it is the fallback
    a text gets when no other topic fits."""

    name: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = []
    examples: list[str] = Field(
        [], description="sentences about this topic; with a few per topic, a head is fitted"
    )
    attributes: list[TopicConfig] = Field(
        [], description="the topic's attributes, tagged as topic/attribute (food/prices)"
    )
    fallback: bool = Field(False, description="the topic of a text that no other topic fits")

    @field_validator("attributes")
    @classmethod
    def one_level_of_attributes(cls, attributes: list[TopicConfig]) -> list[TopicConfig]:
        for attribute in attributes:
            if attribute.attributes or attribute.fallback:
                raise ValueError(
                    f"attribute {attribute.name!r}: attributes take no attributes or fallback"
                )
        names = [a.name for a in attributes]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"attribute names must be unique; repeated: {', '.join(repeated)}")
        return attributes


AlertRuleKind = Literal[
    "negative_review", "unanswered_question", "vip_author", "competitor_comparison",
    "volume_spike", "negativity_spike",
]  # fmt: skip
Sentiment = Literal["negative", "neutral", "positive"]
EMAIL_PATTERN = r"^[^@\s<>\"]+@[^@\s<>\"]+$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class AdvocateConfig(Section):
    """A person (or team) who answers mentions: where alerts go and which ones they get."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.@ -]+$")
    email: str | None = Field(None, pattern=EMAIL_PATTERN)
    apprise_env: list[str] = Field(
        [], description="environment variables each holding Apprise URL(s): Slack, Teams, json://"
    )
    apprise_file: str | None = Field(None, description="secrets file: one Apprise URL a line")
    operator: bool = Field(False, description="also gets crawl-health (operator) alerts")
    fallback: bool = Field(False, description="gets alerts that no advocate's routing matched")
    escalate_to: str | None = Field(
        None, description="an advocate name, an email address, or env:VAR (Apprise URL)"
    )
    rules: list[str] = Field([], description="alert rule names; empty: every rule")
    monitors: list[str] = []
    sources: list[str] = []
    topics: list[str] = []
    languages: list[str] = []
    sentiments: list[Sentiment] = []
    rating_min: float | None = Field(None, ge=0, le=5)
    rating_max: float | None = Field(None, ge=0, le=5)

    @field_validator("apprise_env", mode="before")
    @classmethod
    def one_name_or_a_list(cls, value):
        return [value] if isinstance(value, str) else value

    @field_validator("apprise_env")
    @classmethod
    def env_names_are_names(cls, names: list[str]) -> list[str]:
        bad = [n for n in names if not re.match(ENV_NAME_PATTERN, n)]
        if bad:
            raise ValueError(f"expected environment variable names, not URLs (got {bad[0]!r})")
        return names

    @field_validator("escalate_to")
    @classmethod
    def escalation_target_is_not_a_secret(cls, value: str | None) -> str | None:
        if value and "://" in value:
            raise ValueError("put the URL in an environment variable and write env:VAR")
        if value and value.startswith("env:") and not re.match(ENV_NAME_PATTERN, value[4:]):
            raise ValueError("expected env:VARIABLE_NAME")
        return value


class AlertRuleConfig(Section):
    """One ``[[alert_rule]]``: what raises an alert and how long an advocate has to respond."""

    kind: AlertRuleKind
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$", description="default: the kind")
    sla_hours: float | None = Field(None, gt=0, description="default: [alerts] sla_hours")
    rating_max: float | None = Field(None, ge=0, le=5, description="negative_review")
    negative_sentiment: bool = Field(True, description="negative_review: sentiment counts too")
    after_hours: float | None = Field(None, ge=0, description="unanswered_question")
    suggest_experts: bool = Field(
        False, description="unanswered_question: add who answered similar questions"
    )
    authors: list[str] = Field([], description="vip_author: author names, any case")
    monitors: list[str] = Field([], description="only mentions of these monitors; empty: any")
    window_days: int = Field(14, ge=2, le=365, description="spikes: trailing days compared")
    z_threshold: float = Field(3.0, gt=0, description="spikes: standard deviations above mean")
    min_count: int = Field(5, ge=1, description="spikes: fewest mentions in a day to count")

    @property
    def rule_name(self) -> str:
        return self.name or self.kind

    @model_validator(mode="after")
    def vip_rule_names_authors(self) -> AlertRuleConfig:
        if self.kind == "vip_author" and not self.authors:
            raise ValueError("a vip_author rule needs authors = [...]")
        return self


class AlertsConfig(Section):
    negative_rating_max: float = Field(2.0, ge=0, le=5)
    unanswered_after_hours: float = Field(24, ge=0)
    sla_hours: float = Field(24, gt=0)
    max_age_days: float = Field(7, gt=0, description="mentions published earlier raise nothing")
    max_attempts: int = Field(5, ge=1, description="delivery tries before an alert is failed")
    sending_lease_seconds: float = Field(
        300, gt=0, description="a send claimed this long ago by a lost process is retried"
    )
    operator_failed_runs: int = Field(2, ge=1, description="bad crawl runs in a row to alert")
    body_chars: int = Field(600, ge=40, description="mention text shown in a message")


class DigestConfig(Section):
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = Field("08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    recipients: list[str] = []
    out_dir: str = Field("digests", description="folder for digest files, one subfolder a week")
    cloud_words: int = Field(60, ge=5, le=300, description="words in the tag cloud")
    trend_weeks: int = Field(8, ge=2, le=52, description="weeks in the sentiment-trend chart")
    list_limit: int = Field(10, ge=1, le=100, description="rows shown per list in the digest")


class SmtpConfig(Section):
    host: str = "127.0.0.1"
    port: int = Field(25, ge=1, le=65535)
    sender: str = "groundswell@localhost"
    username: str | None = None
    password_env: str = "GROUNDSWELL_SMTP_PASSWORD"
    starttls: bool = False
    ssl: bool = Field(False, description="SMTPS (implicit TLS, usually port 465)")
    timeout: float = Field(30, gt=0, description="seconds")


class Config(Section):
    database: DatabaseConfig = DatabaseConfig()
    crawl: CrawlConfig = CrawlConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    model: ModelConfig = ModelConfig()
    tagging: TaggingConfig = TaggingConfig()
    monitor: list[MonitorConfig] = []
    source: list[SourceConfig] = []
    topic: list[TopicConfig] = []
    advocate: list[AdvocateConfig] = []
    alerts: AlertsConfig = AlertsConfig()
    alert_rule: list[AlertRuleConfig] = []
    digest: DigestConfig = DigestConfig()
    smtp: SmtpConfig = SmtpConfig()
    community: CommunityConfig = CommunityConfig()

    @field_validator("topic")
    @classmethod
    def one_fallback_topic(cls, topics: list[TopicConfig]) -> list[TopicConfig]:
        fallbacks = [t.name for t in topics if t.fallback]
        if len(fallbacks) > 1:
            raise ValueError(f"one fallback topic at most (got {', '.join(fallbacks)})")
        return topics

    @field_validator("source", "monitor", "topic")
    @classmethod
    def names_unique(cls, entries: list) -> list:
        names = [entry.name for entry in entries]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"names must be unique; repeated: {', '.join(duplicated)}")
        return entries

    def vendor_accounts(self) -> list[str]:
        """Every configured vendor account: each source's and ``[community] vendor_accounts``
        (as written; ``account_names`` compares them with authors)."""
        names = {a for source in self.source for a in source.vendor_accounts}
        return sorted(names | set(self.community.vendor_accounts))

    def source_named(self, name: str) -> SourceConfig:
        for source in self.source:
            if source.name == name:
                return source
        names = [s.name for s in self.source]
        known = ", ".join(names) or "none configured"
        raise ConfigError(f"no source named {name!r}{did_you_mean(name, names)} (sources: {known})")


def account_names(accounts: Iterable[str]) -> frozenset[str]:
    """Account names as authors are compared with them: trimmed, lower-case."""
    return frozenset(a.strip().lower() for a in accounts)


def format_location(loc: tuple) -> str:
    """('source', 2, 'kind') -> 'source[2].kind'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def explain_validation_error(path: Path, error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = format_location(problem["loc"]) or "(top level)"
        what = problem["msg"]
        got = problem.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict | list) else ""
        if problem["type"] == "extra_forbidden":
            key = problem["loc"][-1]
            hint = did_you_mean(key, known_keys(problem["loc"][:-1]))
            what = f"unknown key{hint or ' (see `groundswell init` for all keys)'}"
            shown = ""
        elif problem["type"] == "literal_error":
            shown += did_you_mean(got, re.findall(r"'([^']*)'", problem["ctx"]["expected"]))
        lines.append(f"{path}: {where}: {what}{shown}")
    return "\n".join(lines)


def known_keys(loc: tuple) -> list[str]:
    """The keys the table at ``loc`` accepts (``('source', 0)`` -> SourceConfig's fields)."""
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = field and (typing.get_args(field.annotation) or (field.annotation,))[0]
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return []
        model = inner
    return list(model.model_fields)


def parse_config(data: dict, path: Path) -> Config:
    warn_deprecated_keys(data, path)
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(explain_validation_error(path, error)) from None
    check_source_kinds(config, path)
    check_alert_references(config, path)
    return config


def deprecated_keys(data: dict) -> list[str]:
    """Where the file still uses ``max_pages``: 'crawl.max_pages', 'source[2].max_pages'."""
    found = []
    if isinstance(data.get("crawl"), dict) and "max_pages" in data["crawl"]:
        found.append("crawl.max_pages")
    sources = data.get("source") if isinstance(data.get("source"), list) else []
    found += [f"source[{index}].max_pages" for index, source in enumerate(sources)
              if isinstance(source, dict) and "max_pages" in source]  # fmt: skip
    return found


def warn_deprecated_keys(data: dict, path: Path) -> None:
    for where in deprecated_keys(data):
        log.warning("%s: %s: %s", path, where, MAX_PAGES_DEPRECATED)


def check_source_kinds(config: Config, path: Path) -> None:
    from groundswell.crawl.parsers.registry import known_kinds

    kinds = known_kinds() | {"auto"}
    for index, source in enumerate(config.source):
        if source.kind not in kinds:
            raise ConfigError(
                f"{path}: source[{index}].kind: expected one of {', '.join(sorted(kinds))} "
                f"(got {source.kind!r}){did_you_mean(source.kind, kinds)}"
            )


def check_alert_references(config: Config, path: Path) -> None:
    """Advocate and rule names are unique; escalate_to and rules name things that exist."""
    problems = alert_reference_problems(config)
    if problems:
        raise ConfigError("\n".join(f"{path}: {problem}" for problem in problems))


def alert_reference_problems(config: Config) -> list[str]:
    problems = repeated_names("advocate", [a.name for a in config.advocate])
    rule_names = [r.rule_name for r in config.alert_rule]
    problems += repeated_names("alert_rule", rule_names)
    problems += [
        f"alert_rule[{index}].name: {name!r} is reserved for a built-in rule"
        for index, name in enumerate(rule_names)
        if name in ("source_health", "escalation")
    ]
    advocates = {a.name for a in config.advocate}
    known_rules = {*(rule_names or ["negative_review", "unanswered_question"]), "source_health"}
    for index, advocate in enumerate(config.advocate):
        target = advocate.escalate_to
        if target and not (target in advocates or "@" in target or target.startswith("env:")):
            problems.append(
                f"advocate[{index}].escalate_to: expected an advocate name, an email address "
                f"or env:VAR (got {target!r}; advocates: {', '.join(sorted(advocates))})"
            )
        if not (advocate.email or advocate.apprise_env or advocate.apprise_file):
            problems.append(f"advocate[{index}]: needs email, apprise_env or apprise_file")
        if target == advocate.name:
            problems.append(f"advocate[{index}].escalate_to: an advocate cannot escalate to self")
        unknown = [r for r in advocate.rules if r not in known_rules]
        if unknown:
            problems.append(
                f"advocate[{index}].rules: no alert rule named {unknown[0]!r} "
                f"(rules: {', '.join(sorted(known_rules))})"
            )
    return problems


def repeated_names(section: str, names: list[str]) -> list[str]:
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if not duplicated:
        return []
    return [f"{section}: names must be unique; repeated: {', '.join(duplicated)}"]


def load_config(path: str | Path, missing_ok: bool = False) -> Config:
    """Read and validate ``path``; with ``missing_ok`` a missing file gives the defaults."""
    path = Path(path)
    if not path.exists():
        if missing_ok:
            return Config()
        raise ConfigError(f"{path}: no such file (run `groundswell init` to write one)")
    try:
        data = tomllib.loads(config_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_config(data, path)


def config_text(path: Path) -> str:
    """The file as text: UTF-8 (a byte-order mark is allowed); anything else is a
    ``ConfigError`` that says where and what to do."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}: the file is UTF-16 text; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8"
        ) from None
