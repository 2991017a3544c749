"""The app's shell: the page, its manifest and its service worker, stamped with the release.

The release is a hash of the app's own files and of geogrid's version, so the service
worker's cache name changes exactly when something it caches does: a phone then fetches
the new shell once and drops the old cache (sw.js `activate`).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from geogrid import __version__
from geogrid.app.kinds import kinds

APP = "/app"
STATIC = Path(__file__).parent / "static"
LEAFLET = ("/static/maps/leaflet/leaflet.js", "/static/maps/leaflet/leaflet.css")
SCRIPTS = ("db.js", "geo.js", "api.js", "photos.js", "outbox.js", "area.js", "work.js",
           "views.js", "daily.js", "patrol.js", "address.js", "main.js")  # fmt: skip


@lru_cache(maxsize=1)
def release() -> str:
    """A short hash of every file the shell is made of (changes with any of them)."""
    digest = hashlib.sha256(__version__.encode())
    folders = (STATIC, Path(__file__).parent / "templates")
    for path in sorted(p for folder in folders for p in folder.rglob("*") if p.is_file()):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update(kinds_json().encode())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def kinds_json() -> str:
    """The categories with their form fields, as the phone reads them."""
    return json.dumps(kinds(), ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("geogrid.app", "templates"),
                       autoescape=select_autoescape(("html",)), auto_reload=False)  # fmt: skip


def shell_files() -> list[str]:
    """Every URL the service worker keeps for offline starts, the page first."""
    stamp = f"?v={release()}"
    return [f"{APP}/", f"{APP}/kinds.json{stamp}", f"{APP}/manifest.webmanifest",
            f"{APP}/static/app.css{stamp}", f"{APP}/static/icon-192.png",
            *(f"{APP}/static/{name}{stamp}" for name in SCRIPTS), *LEAFLET]  # fmt: skip


def shell_html() -> str:
    """The one page of the app (every view is a section of it)."""
    return (
        _environment()
        .get_template("shell.html")
        .render(
            app=APP, stamp=f"?v={release()}", scripts=SCRIPTS, leaflet=LEAFLET, release=release()
        )
    )


def service_worker() -> str:
    """sw.js with this release's cache name and file list filled in."""
    text = (STATIC / "sw.template.js").read_text(encoding="utf-8")
    return text.replace("__RELEASE__", release()).replace("__FILES__", json.dumps(shell_files()))


def manifest() -> dict:
    """The web app manifest (installable, opens at /app/ in portrait)."""
    return {
        "name": "网格通", "short_name": "网格通", "lang": "zh-CN",
        "start_url": f"{APP}/", "scope": f"{APP}/", "display": "standalone",
        "orientation": "portrait", "background_color": "#ffffff", "theme_color": "#b71c1c",
        "icons": [{"src": f"{APP}/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
                  {"src": f"{APP}/static/icon-512.png", "sizes": "512x512",
                   "type": "image/png"}],
    }  # fmt: skip
