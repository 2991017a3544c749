"""Free-text Chinese addresses -> the parts of a standard address, naming what was not read.

"山东省诸城市人民路12号3号楼2单元501室" reads as street 人民路, house number 12, building 3,
unit 2, room 501 (floor 5, from the room number, as Chinese flats are numbered). Pure: no
database, no geogrid imports beyond the vocabulary, so the API's search, the import and
the phone app's form all read addresses the same way.

The reader walks the text left to right; at each place it tries the part patterns in a
fixed order (the digit-led ones first, since their suffixes are unambiguous) and takes the
first that matches a part not yet read. Text no pattern reads is kept, in the order met,
as `unread`; the parts every standard address needs (street and house number, or an
estate with a building) that were not found are named in `missing`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from geogrid.vocabulary import ADDRESS_PARTS

_HAN = r"[\u4e00-\u9fffA-Za-z]"
# The administrative prefix (province, city, county, town or street office) is not a part
# of the standard address: the county code stands for it. Read off the start only.
_ADMIN = re.compile(
    rf"^(?:{_HAN}{{2,6}}?省)?(?:{_HAN}{{2,6}}?市)?(?:{_HAN}{{1,6}}?(?<![小社园])[县区]|{_HAN}{{2,6}}?市)?"
    rf"(?:{_HAN}{{1,6}}?(?:街道办事处|街道|镇|乡))?"
)
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("building", re.compile(r"(\d+|[A-Z])(?:号楼|栋|幢|号?座)")),
    ("unit_no", re.compile(r"(\d+)单元")),
    ("room", re.compile(r"(\d+)(?:室|户)")),
    ("floor", re.compile(r"(\d+)(?:层|楼)")),
    ("house_no", re.compile(r"(\d+(?:-\d+)?)号(?!楼)")),
    # A street (or a natural village) is named by the house number that follows it.
    ("street", re.compile(rf"({_HAN}{{1,20}}?(?:大道|大街|路|街|巷|胡同|弄|村))(?=\d)")),
    # A natural village (王家沟, 石河头) is any name directly before a house number (号).
    ("street", re.compile(rf"({_HAN}{{1,20}}?)(?=\d+(?:-\d+)?号(?!楼))")),
    ("estate", re.compile(rf"({_HAN}{{1,20}}?(?:小区|花园|家园|公寓|大厦|新村|苑|园|庄园))")),
)
# A bare number closing the address is the house number after a street ("人民路12"), or
# else the room ("人民路12号3号楼2单元501").
_TRAILING_ROOM = re.compile(r"(\d+)$")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百]+)(?=号|单元|层|楼|栋|幢|室|户)")
# Spaces, commas, brackets go; a dash stays only between digits ("12-3号").
_SEPARATORS = re.compile(r"[\s,，、()（）·]+|(?<!\d)[-—]|[-—](?!\d)")


@dataclass(frozen=True)
class ParsedAddress:
    """The parts read (by the names of vocabulary.ADDRESS_PARTS), what was not read."""

    parts: dict[str, str]
    prefix: str = ""  # the administrative prefix read off the start (province ... town)
    unread: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Whether every piece of text was read and no needed part is missing."""
        return not self.unread and not self.missing


def parse_address(text: str) -> ParsedAddress:
    """Read a free-text address into its parts (see the module's docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"an address is text, not {type(text).__name__}")
    normal = normalise_address(text)
    admin = _ADMIN.match(normal)
    prefix = admin.group(0) if admin and _has_more(normal, admin.end()) else ""
    parts, unread = _read_parts(normal[len(prefix) :])
    if "floor" not in parts and len(parts.get("room", "")) in (3, 4):
        parts["floor"] = parts["room"][:-2]  # room 501 is on floor 5
    ordered = {name: parts[name] for name in ADDRESS_PARTS if name in parts}
    return ParsedAddress(ordered, prefix, tuple(unread), _missing(ordered))


def address_text(parts: dict[str, str]) -> str:
    """The standard written form of address parts (the inverse of parse_address)."""
    floor_shown = parts.get("floor") and not parts.get("room")
    pieces = (
        parts.get("street", ""),
        f"{parts['house_no']}号" if parts.get("house_no") else "",
        parts.get("estate", ""),
        f"{parts['building']}号楼" if parts.get("building") else "",
        f"{parts['unit_no']}单元" if parts.get("unit_no") else "",
        f"{parts['floor']}层" if floor_shown else "",
        f"{parts['room']}室" if parts.get("room") else "",
    )
    return "".join(pieces)


def normalise_address(text: str) -> str:
    """Full-width digits and letters to ASCII, Chinese numerals before a unit word to digits,
    separators out."""
    normal = unicodedata.normalize("NFKC", text).strip().upper()
    normal = _CN_NUMBER.sub(lambda m: str(_chinese_number(m.group(1))), normal)
    return _SEPARATORS.sub("", normal)


def _chinese_number(word: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105, 五零一 -> 501 (digit by digit)."""
    if "十" not in word and "百" not in word:
        return int("".join(str(_CN_DIGITS[c]) for c in word))
    total, digit = 0, 0
    for char in word:
        if char == "百":
            total += (digit or 1) * 100
            digit = 0
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        else:
            digit = _CN_DIGITS[char]
    return total + digit


def _read_parts(text: str) -> tuple[dict[str, str], list[str]]:
    parts: dict[str, str] = {}
    unread: list[str] = []
    pending = ""
    position = 0
    while position < len(text):
        found = _match_at(text, position, parts)
        if found is None:
            pending += text[position]
            position += 1
            continue
        name, value, end = found
        if pending:
            unread.append(pending)
            pending = ""
        parts[name] = value
        position = end
    trailing = _TRAILING_ROOM.fullmatch(pending)
    if trailing and "street" in parts and "house_no" not in parts:
        parts["house_no"] = trailing.group(1)  # "人民路12": the number after a street
    elif trailing and "room" not in parts and ("house_no" in parts or "building" in parts):
        parts["room"] = trailing.group(1)
    elif pending:
        unread.append(pending)
    return parts, unread


def _match_at(text: str, position: int, parts: dict[str, str]) -> tuple[str, str, int] | None:
    for name, pattern in _PATTERNS:
        if name in parts:
            continue
        match = pattern.match(text, position)
        if match:
            return name, match.group(1), match.end()
    return None


def _missing(parts: dict[str, str]) -> tuple[str, ...]:
    """A standard address is a street and house number, or an estate and a building."""
    if "street" in parts or "house_no" in parts or "estate" not in parts:
        needed = ("street", "house_no")
    else:
        needed = ("estate", "building")
    return tuple(name for name in needed if name not in parts)


def _has_more(text: str, end: int) -> bool:
    """The prefix is only the prefix if something follows it."""
    return end < len(text)
