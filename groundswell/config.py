"""``groundswell.toml``: one validated configuration object for every command.

``load_config(path)`` reads TOML and validates it with pydantic; any problem raises
``ConfigError`` whose message names the file, the key and what was expected.
"""

from __future__ import annotations

import re
import tomllib
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

from groundswell.errors import GroundswellError
from groundswell.tagging.stages import DEFAULT_STAGES, check_stage_names

DEFAULT_CONFIG = "groundswell.toml"
DEFAULT_DB = "groundswell.db"
DEFAULT_USER_AGENT = (
    "groundswell/0.1 (social listening crawler; +https://github.com/groundswell/groundswell)"
)
INTERVAL_PATTERN = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$")
CRON_FIELDS = 5


def check_schedule(value: str) -> str:
    """'every N[s|m|h|d]' or a 5-field cron expression that APScheduler accepts."""
    from apscheduler.triggers.cron import CronTrigger

    value = value.strip()
    if INTERVAL_PATTERN.match(value):
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
    max_pages: int = Field(20, ge=1, description="pages per crawl of one source")
    timeout: float = Field(900, gt=0, description="seconds before a crawl subprocess is stopped")
    browser_path: str | None = Field(
        None, description="Chromium for render = true sources; default: chromium on PATH"
    )


class ModelConfig(Section):
    encoder: str = "all-MiniLM-L6-v2"
    sentiment: str | None = None
    batch_size: int = Field(256, ge=1)
    shared_graph: Literal["student", "joint"] = Field(
        "student",
        description="the shipped models' one pass per text: the 4-layer student, or the "
        "8-layer joint graph it was distilled from (slower, closer to the full models)",
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
    max_pages: int | None = Field(None, ge=1)
    recrawl_days: float = Field(
        7, ge=0, description="threads with a mention this recent are fetched again for replies"
    )
    render: bool = Field(False, description="run the page's JavaScript in Chromium first")
    render_wait_for: str | None = Field(
        None, min_length=1, description="CSS selector to wait for; default: network idle"
    )

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

    @field_validator("topic")
    @classmethod
    def topics_unique_one_fallback(cls, topics: list[TopicConfig]) -> list[TopicConfig]:
        names = [t.name for t in topics]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"topic names must be unique; repeated: {', '.join(repeated)}")
        fallbacks = [t.name for t in topics if t.fallback]
        if len(fallbacks) > 1:
            raise ValueError(f"one fallback topic at most (got {', '.join(fallbacks)})")
        return topics

    @field_validator("source")
    @classmethod
    def source_names_unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicated)}")
        return sources

    def source_named(self, name: str) -> SourceConfig:
        for source in self.source:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.source) or "none configured"
        raise ConfigError(f"no source named {name!r} (sources: {known})")


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
        if problem["type"] == "extra_forbidden":
            what = "unknown key (check the spelling; see `groundswell init` for all keys)"
        got = problem.get("input")
        shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
        lines.append(f"{path}: {where}: {what}{shown}")
    return "\n".join(lines)


def parse_config(data: dict, path: Path) -> Config:
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(explain_validation_error(path, error)) from None
    check_source_kinds(config, path)
    check_alert_references(config, path)
    return config


def check_source_kinds(config: Config, path: Path) -> None:
    from groundswell.crawl.parsers.registry import known_kinds

    kinds = known_kinds() | {"auto"}
    for index, source in enumerate(config.source):
        if source.kind not in kinds:
            raise ConfigError(
                f"{path}: source[{index}].kind: expected one of {', '.join(sorted(kinds))} "
                f"(got {source.kind!r})"
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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return parse_config(data, path)
