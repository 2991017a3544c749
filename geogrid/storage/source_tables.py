"""The boundary input tables, as loaded by `geogrid load`: what grids are built from.

A load replaces the rows of the roles it carries, so loading the same file twice leaves
one copy; `source_loads` keeps the provenance of every committed load.
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, CheckConstraint, DateTime, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from geogrid.storage.models import SRID, Base, one_of
from geogrid.vocabulary import COMMUNITY_KINDS


class SourceLoad(Base):
    """One committed load of one layer: which file, which role, which CRS, how many rows."""

    __tablename__ = "source_loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    file: Mapped[str] = mapped_column(Text)
    layer: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    crs: Mapped[str] = mapped_column(String(64))
    features: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    file_sha256: Mapped[str] = mapped_column(String(64))


class SourceCounty(Base):
    """The county outline the grids must cover."""

    __tablename__ = "source_county"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(Text)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)


class SourceCommunity(Base):
    """A community (社区) polygon: the source of a level-1 grid."""

    __tablename__ = "source_communities"
    __table_args__ = (CheckConstraint(one_of("kind", COMMUNITY_KINDS), name="kind"),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))
    town: Mapped[str] = mapped_column(Text, default="")
    station_code: Mapped[str | None] = mapped_column(String(32))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)


class SourceVillage(Base):
    """A natural village (自然村) polygon: the source of a rural level-2 grid."""

    __tablename__ = "source_villages"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    community_code: Mapped[str | None] = mapped_column(String(32), index=True)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True), nullable=False)


class SourceStreet(Base):
    """A named street, road or alley line (街路巷), as delivered: not split at crossings."""

    __tablename__ = "source_streets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8), default="")
    geom = mapped_column(Geometry("MULTILINESTRING", srid=SRID, spatial_index=True), nullable=False)


class SourceHousehold(Base):
    """A household location or building with its household and resident counts."""

    __tablename__ = "source_households"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    households: Mapped[int] = mapped_column(Integer, default=1)
    residents: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(Text, default="")
    geom = mapped_column(Geometry("POINT", srid=SRID, spatial_index=True), nullable=False)
