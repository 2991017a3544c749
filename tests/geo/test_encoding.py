"""One text-encoding answer for Chinese files: UTF-8 when it is UTF-8, else GB18030."""

from __future__ import annotations

from pathlib import Path

import pytest

from geogrid.geo.encoding import GB18030, SAMPLE_BYTES, detect_encoding, file_encoding
from geogrid.inputs.readers import read_layers, shapefile_encoding
from geogrid.reports.files import read_report_file

# 𠀀 is outside GBK: only GB18030's four-byte sequences hold it.
TEXT = "lon,lat,category,text\n119.4,36.0,hazard,王家庄井盖缺失 𠀀\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("王".encode("gbk"), GB18030),  # a short GBK text, invalid UTF-8 in its last bytes
        ("王家庄".encode(), "utf-8"),
        ("王家庄".encode()[:-1], "utf-8"),  # a UTF-8 sample cut through its last character
        ("\ufeff经度".encode(), "utf-8-sig"),
        ("𠀀王".encode(GB18030), GB18030),
        (b"lon,lat\n", "utf-8"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    assert detect_encoding(data) == expected


def test_a_large_gbk_file_is_judged_on_its_head(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * (SAMPLE_BYTES - 1) + "王".encode("gbk"))  # cut after one byte
    assert file_encoding(path) == "utf-8"  # the head alone cannot tell
    path.write_bytes(b"a" * (SAMPLE_BYTES - 4) + "王".encode("gbk") * 2)
    assert file_encoding(path) == GB18030


def test_gbk_csv_reads_the_same_for_boundaries_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_bytes(TEXT.encode(GB18030))
    (layer,) = read_layers(path)
    (chunk,) = read_report_file(path)
    assert layer.encoding == file_encoding(path) == GB18030
    assert list(layer.frame["text"]) == list(chunk.items["text"]) == ["王家庄井盖缺失 𠀀"]


def test_plain_gbk_csv_reads_the_same_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    path.write_bytes("lon,lat,名称\n119.4,36.0,密州派出所\n".encode("gbk"))
    (layer,) = read_layers(path)
    (chunk,) = read_report_file(path)
    assert list(layer.frame["名称"]) == list(chunk.items["名称"]) == ["密州派出所"]


def test_gbk_shapefile_without_cpg_or_code_page_reads_chinese(gbk_shapefile: Path) -> None:
    dbf = gbk_shapefile.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver byte either: the text itself must tell
    dbf.write_bytes(bytes(data))
    assert shapefile_encoding(gbk_shapefile) == GB18030
    (layer,) = read_layers(gbk_shapefile)
    assert list(layer.frame["村名"]) == ["王家庄"]
    assert "社区代码" in layer.frame.columns
