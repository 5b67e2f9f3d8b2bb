"""The console's browser assets: its own CSS and JS (package data) and the npm packages it uses
(htmx, Chart.js), installed by ``npm ci`` from the committed package-lock.json at install time
and served by Argus itself, so the console works with no internet."""

from __future__ import annotations

from pathlib import Path

from argus.config import Settings

#: URL name -> file inside the npm install directory (versions pinned in package-lock.json).
VENDOR = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}
#: The console's own static files (CSS, JS), shipped in the package.
STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Where ``npm ci`` puts the packages when ARGUS_CONSOLE__ASSETS_DIR is unset: beside the
#: argus package, in the checkout ``make install`` ran in.
DEFAULT_NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def node_modules(settings: Settings) -> Path:
    """The directory holding the console's npm packages."""
    return settings.console.assets_dir or DEFAULT_NODE_MODULES


def vendor_file(settings: Settings, name: str) -> Path | None:
    """The installed file served as ``/assets/vendor/<name>``; None for a name that is not one
    of :data:`VENDOR` or a file that is not installed."""
    relative = VENDOR.get(name)
    if relative is None:
        return None
    path = node_modules(settings) / relative
    return path if path.is_file() else None


def missing_vendor(settings: Settings) -> list[str]:
    """The npm files the console needs that are not installed (``argus doctor`` and the pages
    name them: run ``npm ci`` or ``make install``)."""
    return [name for name in VENDOR if vendor_file(settings, name) is None]
