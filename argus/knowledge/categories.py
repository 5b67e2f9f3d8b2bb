"""The closed vocabulary of failure categories used by knowledge entries.

A knowledge entry's ``category`` must be one of these values; anything else is rejected when the
entry is loaded, so the knowledge base never accumulates near-duplicate spellings. The
vocabulary is finer than the report's (:data:`argus.report.Category`);
:func:`report_category` is the one translation from it to the report's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from argus.errors import InputError

if TYPE_CHECKING:  # a type only: `argus knowledge --help` must not load pydantic
    from argus.report import Category as ReportCategory


class Category(StrEnum):
    """Kinds of failure a knowledge entry can describe."""

    CPU_CONTENTION = "cpu_contention"
    MEMORY_EXHAUSTION = "memory_exhaustion"
    DISK_FULL = "disk_full"
    RESOURCE_LIMIT = "resource_limit"
    NETWORK_LATENCY = "network_latency"
    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connection_refused"
    CONNECTION_RESET = "connection_reset"
    DNS_FAILURE = "dns_failure"
    TLS_CERTIFICATE = "tls_certificate"
    AUTHENTICATION = "authentication"
    WRONG_RETURN_VALUE = "wrong_return_value"
    UNHANDLED_EXCEPTION = "unhandled_exception"
    CONFIGURATION_ERROR = "configuration_error"
    DB_DEADLOCK = "db_deadlock"
    DB_POOL_EXHAUSTION = "db_pool_exhaustion"
    QUEUE_BACKLOG = "queue_backlog"
    SENSOR_TIMEOUT = "sensor_timeout"
    DRIVER_FAULT = "driver_fault"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    THERMAL_POWER = "thermal_power"
    OTA_DOWNLOAD_FAILURE = "ota_download_failure"
    OTA_INSTALL_FAILURE = "ota_install_failure"


#: One line per category, for help texts and for agents choosing a category.
DESCRIPTIONS: dict[Category, str] = {
    Category.CPU_CONTENTION: "CPU saturated, throttled or stolen; work waits for a core",
    Category.MEMORY_EXHAUSTION: "out of memory, OOM kills, heap exhaustion, leaks",
    Category.DISK_FULL: "no space or no inodes left on a filesystem",
    Category.RESOURCE_LIMIT: "a per-process limit hit: open files, threads, processes",
    Category.NETWORK_LATENCY: "slow network: packet loss, retransmits, saturated links",
    Category.TIMEOUT: "an operation exceeded its deadline (HTTP 504, gRPC deadline, SQL timeout)",
    Category.CONNECTION_REFUSED: "nothing listens at the target address (ECONNREFUSED)",
    Category.CONNECTION_RESET: "an established connection was torn down (ECONNRESET, EPIPE)",
    Category.DNS_FAILURE: "a name did not resolve (NXDOMAIN, SERVFAIL, EAI_AGAIN)",
    Category.TLS_CERTIFICATE: "a TLS handshake failed on a certificate: expired, untrusted, wrong",
    Category.AUTHENTICATION: "credentials or tokens rejected, or permission denied",
    Category.WRONG_RETURN_VALUE: "a call succeeded but returned a wrong or implausible value",
    Category.UNHANDLED_EXCEPTION: "a crash from an uncaught exception, panic or signal",
    Category.CONFIGURATION_ERROR: "a missing, invalid or mismatched setting or deployment",
    Category.DB_DEADLOCK: "transactions waiting on each other's locks",
    Category.DB_POOL_EXHAUSTION: "no database connection available in the pool or server",
    Category.QUEUE_BACKLOG: "a queue or topic grows faster than it is consumed",
    Category.SENSOR_TIMEOUT: "a sensor or bus peer stopped delivering data in time",
    Category.DRIVER_FAULT: "a device driver, bus or firmware load failed",
    Category.CHECKSUM_MISMATCH: "data failed an integrity check: CRC, hash or signature digest",
    Category.THERMAL_POWER: "overheating, throttling, brown-outs or power loss",
    Category.OTA_DOWNLOAD_FAILURE: "an over-the-air update could not be downloaded",
    Category.OTA_INSTALL_FAILURE: "an over-the-air update was downloaded but failed to install",
}


def report_category(category: Category) -> ReportCategory:
    """The report category of a knowledge category: total (mypy rejects a missing member).

    A per-process limit (open files, threads) is a ``config`` failure: the limit is a setting.
    """
    match category:
        case Category.CPU_CONTENTION:
            return "resource_cpu"
        case Category.MEMORY_EXHAUSTION:
            return "resource_memory"
        case Category.DISK_FULL:
            return "resource_disk"
        case Category.RESOURCE_LIMIT | Category.CONFIGURATION_ERROR:
            return "config"
        case Category.NETWORK_LATENCY:
            return "network_latency"
        case Category.TIMEOUT:
            return "timeout"
        case Category.CONNECTION_REFUSED | Category.CONNECTION_RESET:
            return "network_connection"
        case Category.DNS_FAILURE:
            return "dns"
        case Category.TLS_CERTIFICATE:
            return "tls"
        case Category.AUTHENTICATION:
            return "auth"
        case Category.WRONG_RETURN_VALUE:
            return "code_wrong_return_value"
        case Category.UNHANDLED_EXCEPTION:
            return "code_exception"
        case Category.DB_DEADLOCK | Category.DB_POOL_EXHAUSTION:
            return "database"
        case Category.QUEUE_BACKLOG:
            return "queue_backlog"
        case Category.SENSOR_TIMEOUT | Category.DRIVER_FAULT | Category.THERMAL_POWER:
            return "hardware"
        case Category.CHECKSUM_MISMATCH:
            return "data_integrity"
        case Category.OTA_DOWNLOAD_FAILURE | Category.OTA_INSTALL_FAILURE:
            return "ota"


def parse_category(value: str) -> Category:
    """Return the category named by ``value`` or raise InputError listing the valid names."""
    try:
        return Category(value.strip().lower())
    except ValueError:
        raise InputError(
            f"unknown category {value!r}",
            hint="use one of: " + ", ".join(c.value for c in Category),
        ) from None
