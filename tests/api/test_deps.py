"""The request helpers of the lean routes: each gives what FastAPI or Starlette would."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request

from geogrid.api.deps import base_url, bearer_token, query_dict


@pytest.mark.parametrize(
    "parts",
    [
        {"scheme": "http", "server": ("127.0.0.1", 8000), "headers": [(b"host", b"e.org:8000")]},
        {"scheme": "https", "server": ["10.0.0.1", 443], "root_path": "/gg", "headers": []},
        {"scheme": "http", "server": None, "headers": []},
        {"scheme": "http", "server": ("::1", 80), "root_path": "/a/", "app_root_path": "/b",
         "headers": [(b"host", b"not a host:xx")]},
        {"scheme": "https", "server": ("h", 8443),
         "headers": [(b"x", b"y"), (b"host", b"[::1]:8443")]},
        {"scheme": "http", "server": ("h", 80), "headers": [(b"host", b"other.example")]},
    ],
)  # fmt: skip
def test_base_url_is_starlettes(parts) -> None:
    scope = {"type": "http", "path": "/v1/reports", "query_string": b"a=1", **parts}
    assert base_url(Request(scope)) == str(Request(scope).base_url)


def test_base_url_follows_the_host_header() -> None:
    def scope(host: bytes) -> dict:
        return {"type": "http", "scheme": "http", "server": ("h", 80), "path": "/",
                "headers": [(b"host", host)]}  # fmt: skip

    assert base_url(Request(scope(b"a.example"))) == "http://a.example/"
    assert base_url(Request(scope(b"b.example:81"))) == "http://b.example:81/"


NAMES = st.sampled_from(["lon", "lat", "crs", "a b", "é", "", "x=y"])


@given(st.lists(st.tuples(NAMES, st.text(max_size=8)), max_size=6), st.sampled_from(["&", "&&"]))
def test_query_dict_is_starlettes(pairs, glue) -> None:
    query = glue.join(f"{quote_plus(n)}={quote_plus(v)}" for n, v in pairs).encode()
    scope = {"type": "http", "query_string": query, "headers": []}
    assert query_dict(Request(scope)) == dict(Request(scope).query_params)


@given(st.text(alphabet="ab=&%+2EFé;中 ", max_size=20))
def test_query_dict_is_starlettes_on_any_string(raw) -> None:
    scope = {"type": "http", "query_string": raw.encode(), "headers": []}
    assert query_dict(Request(scope)) == dict(Request(scope).query_params)


@pytest.mark.parametrize(
    "raw", [b"lon=1&lat=2&lon=3", b"a&b=&=c", b"x=%E4%B8%AD+%2B", b"%zz=1&y=%", b"&&", b"a=1;b=2",
            "lon=1&名=值".encode(), b"p=a%26b%3Dc"],
)  # fmt: skip
def test_query_dict_on_odd_strings(raw) -> None:
    scope = {"type": "http", "query_string": raw, "headers": []}
    assert query_dict(Request(scope)) == dict(Request(scope).query_params)


def _authorized(value: bytes) -> Request:
    return Request({"type": "http", "path": "/v1/grids", "query_string": b"",
                    "headers": [(b"authorization", value)]})  # fmt: skip


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (b"Bearer abc", "abc"),
        (b"bearer  abc ", "abc"),
        (b"Basic " + base64.b64encode(b"qgis:abc"), "abc"),
        (b"Basic " + base64.b64encode(b"qgis:a:b"), "a:b"),  # a colon in the password
        (b"Basic " + base64.b64encode(b"qgis:"), None),  # no password
        (b"Basic " + base64.b64encode(b"abc"), None),  # no colon: no password
        (b"Basic not base64!", None),
        (b"Basic " + base64.b64encode(b"q:\xff\xfe"), None),  # not UTF-8
        (b"Digest abc", None),
    ],
)
def test_bearer_token_takes_bearer_and_the_basic_password(header: bytes, token) -> None:
    assert bearer_token(_authorized(header)) == token
