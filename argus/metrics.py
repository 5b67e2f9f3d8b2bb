"""Prometheus metrics of the service."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

BATCHES = Counter("argus_batches_total", "Batches by the state they reached", ["state"])
UPLOADED_BYTES = Counter("argus_uploaded_bytes_total", "Bytes of uploaded log files")
DIAGNOSIS_SECONDS = Histogram(
    "argus_diagnosis_seconds", "Wall time of one diagnosis", buckets=(1, 2, 5, 10, 30, 60, 120, 300)
)
PARSE_SECONDS = Histogram(
    "argus_parse_seconds", "Wall time of parsing one batch", buckets=(1, 2, 5, 10, 30, 60, 120, 300)
)
QUEUE_LAG = Gauge(
    "argus_queue_lag",
    "Events behind the end of the topic when the last one was taken",
    ["topic", "group", "partition"],
)
LLM_CALLS = Counter("argus_llm_calls_total", "LLM calls made by diagnoses")
LLM_TOKENS = Counter("argus_llm_tokens_total", "LLM tokens used by diagnoses")
ERRORS = Counter("argus_errors_total", "Errors by class", ["kind"])
BY_STATE = Gauge("argus_batches_by_state", "Batches in each state now", ["state"])
EMBEDDED_RESTARTS = Counter("argus_embedded_restarts_total", "Watchdog restarts", ["service"])
WORKER_RESTARTS = Counter(
    "argus_worker_restarts_total", "Restarts of a worker task after it ended", ["worker"]
)
LIVE_CONSUMERS = Gauge("argus_live_consumers", "Stage consumers connected now", ["stage"])
OUTBOX_PENDING = Gauge("argus_outbox_pending", "Events waiting in the outbox for the broker")
SWEPT = Counter("argus_batches_reannounced_total", "Batches announced again by the sweep")
KNOWLEDGE_HIT_RATE = Gauge(
    "argus_knowledge_hit_rate", "Share of completed diagnoses citing a knowledge entry (NaN: none)"
)
KNOWLEDGE_CITATIONS = Gauge(
    "argus_knowledge_citations", "Knowledge entries cited by completed diagnoses (pairs)"
)
KNOWLEDGE_CITATIONS_PER_ENTRY = Gauge(
    "argus_knowledge_citations_per_cited_entry",
    "Diagnoses citing an entry, averaged over the entries cited at least once (NaN: none)",
)
KNOWLEDGE_PRECISION = Gauge(
    "argus_knowledge_cited_precision",
    "Share of cited entries that fit the truth given by feedback (NaN: no judged citation)",
)
NOTIFICATIONS = Gauge("argus_notifications", "Alert notifications in each state now", ["state"])
DELIVERY_ATTEMPTS = Counter(
    "argus_notification_attempts_total",
    "Delivery attempts by channel kind and result",
    ["kind", "result"],
)
ALERT_DECISIONS = Counter("argus_alert_decisions_total", "Alert rule decisions", ["outcome"])
