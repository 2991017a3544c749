"""What one API process holds: settings, the engine, the index, the token cache, the writer.

Built in the app's lifespan (never at import) and kept on `app.state.geogrid`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from geogrid.api.auth import Authenticator
from geogrid.api.inbox_json import InboxJson
from geogrid.api.settings import ApiSettings
from geogrid.api.tilecache import TileCache
from geogrid.api.tilewarm import TileWarmer
from geogrid.api.writer import ReportWriter
from geogrid.errors import NoActiveVersionError, VersionError
from geogrid.media.store import DiskStore
from geogrid.registry.addresses import any_address
from geogrid.reports.deadlines import calendar_of
from geogrid.reports.inbox_cache import InboxCache
from geogrid.reports.index import IndexCache
from geogrid.reports.intake import IntakeOptions
from geogrid.reports.lookup import PointLookup
from geogrid.settings import Settings
from geogrid.storage import embedded
from geogrid.storage.versions import NO_ACTIVE

log = logging.getLogger("geogrid.api")
DATABASE_WATCH_SECONDS = 1.0  # how often a worker looks for a dead embedded server


@dataclass
class AppState:
    """The long-lived parts of a running API."""

    settings: Settings
    api: ApiSettings
    engine: Engine
    index: IndexCache
    auth: Authenticator
    lookups: PointLookup | None = None  # None until a grid version is active
    writer: ReportWriter = field(init=False)
    warmer: TileWarmer = field(init=False)  # the tiles of first views, per version
    media: DiskStore = field(init=False)  # evidence photos, under the settings' media_path
    tiles: TileCache = field(default_factory=TileCache)  # vector tiles, keyed by version
    inboxes: InboxCache = field(default_factory=InboxCache)  # desks' inboxes, while exact
    inbox_json: InboxJson = field(default_factory=InboxJson)  # their cases' JSON
    has_addresses: bool = False  # the registry holds standard addresses (the lookup adds them)

    def __post_init__(self) -> None:
        self.media = DiskStore(self.settings.media_path)
        self.warmer = TileWarmer(self.engine, self.tiles, stations=self.api.warm_station_tiles)
        # The writer assigns with the lookups' index: the refresher keeps it current, off
        # the event loop, where the writer works.
        self.writer = ReportWriter(
            self.engine, lambda: self.point_lookup().index, self.intake_options,
            self.api.write_batch_max, categories_ttl=self.api.index_refresh_seconds,
            linger=self.api.write_linger_ms / 1000,
        )  # fmt: skip

    def point_lookup(self) -> PointLookup:
        """Lookups on the active version's index (swapped in by the refresher)."""
        if self.lookups is None:
            raise NoActiveVersionError(NO_ACTIVE)
        return self.lookups

    def intake_options(self) -> IntakeOptions:
        """How the API's reports are assigned."""
        return intake_options(self.api, self.settings)

    async def refresh_index(self) -> None:
        """Reload the index if the active version or roster changed (off the event loop)."""
        try:
            index = await asyncio.to_thread(self.index.get)
        except VersionError:
            self.lookups = None
            return
        if self.lookups is None or self.lookups.index is not index:
            index.warm_up()  # pyproj's set-up in this thread: the lookups' and the writer's
            self.lookups = PointLookup(index)
            # The tiles' cache key changes with the version: make the first views anew.
            if self.api.warm_tiles:
                self.warmer.start(index.version_id)
        if not self.has_addresses:  # once true it stays: addresses are not deleted
            self.has_addresses = await asyncio.to_thread(any_address, self.engine)

    async def keep_index_fresh(self) -> None:
        """Check for a new index every `index_refresh_seconds` until cancelled."""
        while True:
            await asyncio.sleep(self.api.index_refresh_seconds)
            try:
                await self.refresh_index()
            except Exception:  # a database hiccup must not end the refresher
                log.exception("cannot refresh the assignment index")

    async def keep_embedded_database_up(self) -> None:
        """Restart the embedded cluster's server whenever it dies, until cancelled.

        Without this a killed postmaster left the API answering 503 until somebody ran a
        geogrid command; the pools and the writer reconnect on their next use.
        """
        cluster = embedded.cluster_for(self.settings)
        while True:
            await asyncio.sleep(DATABASE_WATCH_SECONDS)
            try:
                # The check is a pid file read: cheap enough for the event loop.
                if embedded.crashed(cluster) and await asyncio.to_thread(
                    embedded.restart_if_crashed, cluster
                ):
                    log.warning("the embedded database server had died; restarted it")
                    await asyncio.to_thread(self.engine.dispose)  # drop the dead connections
            except Exception:  # try again at the next tick rather than end the watchdog
                log.exception("cannot restart the embedded database server")


def intake_options(api: ApiSettings, settings: Settings | None = None) -> IntakeOptions:
    """How the API's reports are assigned (the GPS tolerance is an API setting) and which
    working-day calendar their acceptance deadlines follow."""
    holidays = None if settings is None else settings.holidays_file
    return IntakeOptions(tolerance_m=api.tolerance_m, calendar=calendar_of(holidays))


def make_state(settings: Settings, api: ApiSettings, engine: Engine) -> AppState:
    """Everything a process needs, around an engine."""
    index = IndexCache(engine, ttl=api.index_refresh_seconds)
    auth = Authenticator(engine, api.auth_cache_seconds)
    return AppState(settings, api, engine, index, auth)
