"""The free-text address reader: a table of real shapes, and a round trip over many."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geogrid.registry.address_parse import address_text, parse_address

TABLE = [
    ("人民路12号3号楼2单元501室",
     {"street": "人民路", "house_no": "12", "building": "3", "unit_no": "2", "floor": "5",
      "room": "501"}),
    ("山东省潍坊市诸城市人民路12号3号楼2单元501室",
     {"street": "人民路", "house_no": "12", "building": "3", "unit_no": "2", "floor": "5",
      "room": "501"}),
    ("密州街道和平街5-2号", {"street": "和平街", "house_no": "5-2"}),
    ("龙源小区三号楼二单元1201",
     {"estate": "龙源小区", "building": "3", "unit_no": "2", "floor": "12", "room": "1201"}),
    ("桃园村45号", {"street": "桃园村", "house_no": "45"}),
    ("王家沟49号", {"street": "王家沟", "house_no": "49"}),  # a natural village
    ("常山一巷9号1单元", {"street": "常山一巷", "house_no": "9", "unit_no": "1"}),
    ("人民路 12号 A座 5楼 503室",
     {"street": "人民路", "house_no": "12", "building": "A", "floor": "5", "room": "503"}),
    ("诸城市东关大街１２号", {"street": "东关大街", "house_no": "12"}),
    ("兴华东路二十号", {"street": "兴华东路", "house_no": "20"}),
    ("人民路12号幸福小区3栋1层", {"street": "人民路", "house_no": "12", "estate": "幸福小区",
                                  "building": "3", "floor": "1"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "parts"), TABLE)
def test_addresses_of_the_usual_shapes_are_read_whole(text: str, parts: dict) -> None:
    parsed = parse_address(text)
    assert parsed.parts == parts
    assert parsed.complete, (parsed.unread, parsed.missing)


def test_the_administrative_prefix_is_read_off_and_kept_apart() -> None:
    assert (
        parse_address("山东省潍坊市诸城市密州街道人民路1号").prefix == "山东省潍坊市诸城市密州街道"
    )


def test_what_could_not_be_read_is_named() -> None:
    parsed = parse_address("人民路")
    assert parsed.parts == {}
    assert parsed.unread == ("人民路",)
    assert parsed.missing == ("street", "house_no")
    odd = parse_address("人民路12号东边第三家501室")
    assert odd.parts["street"] == "人民路" and odd.parts["room"] == "501"
    assert odd.unread == ("东边第三家",)
    assert parse_address("3号楼2单元").missing == ("street", "house_no")
    assert parse_address("幸福小区2单元").missing == ("building",)


def test_only_text_is_an_address() -> None:
    with pytest.raises(TypeError, match="not int"):
        parse_address(12)  # type: ignore[arg-type]


_NAME = st.text(alphabet="东西南北新华光明人民文化建设幸福和平胜利", min_size=1, max_size=5)
_NUMBER = st.integers(min_value=1, max_value=999).map(str)


@st.composite
def _addresses(draw) -> dict[str, str]:
    parts = {"street": draw(_NAME) + draw(st.sampled_from(["路", "街", "大街", "巷"])),
             "house_no": draw(_NUMBER)}  # fmt: skip
    if draw(st.booleans()):
        parts["estate"] = draw(_NAME) + draw(st.sampled_from(["小区", "花园", "家园"]))
    if draw(st.booleans()):
        parts["building"] = draw(_NUMBER)
        parts["unit_no"] = str(draw(st.integers(1, 9)))
        floor = draw(st.integers(1, 33))
        parts["floor"] = str(floor)
        parts["room"] = f"{floor}{draw(st.integers(1, 8)):02d}"
    return parts


@given(_addresses())
def test_the_written_form_of_any_address_reads_back_to_its_parts(parts: dict) -> None:
    parsed = parse_address(address_text(parts))
    assert parsed.parts == parts
    assert parsed.complete


@given(st.text(max_size=40))
def test_any_text_is_read_without_error_and_nothing_is_lost(text: str) -> None:
    parsed = parse_address(text)
    assert set(parsed.parts) <= {"street", "house_no", "estate", "building", "unit_no",
                                 "floor", "room"}  # fmt: skip
    assert all(parsed.unread)
