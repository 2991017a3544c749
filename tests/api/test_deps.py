"""The request helpers of the lean routes: each gives what FastAPI or Starlette would."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from geogrid.api.deps import base_url


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
