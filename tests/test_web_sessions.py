"""Issue 18 #9 and the Origin scheme: against `monitor serve` running as a real process.

Before, a cookie copied before `POST /logout` kept working for the whole session lifetime
(12 h): the session lived only in the signed cookie. Now sign-out ends it on the server.
"""

from __future__ import annotations

import http.client
import re
import select
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

from monitor.web.security import hash_password
from tests.conftest import ROOT, write_config

PASSWORD = "x" * 12


@pytest.fixture
def served(tmp_path: Path):
    """`monitor serve --port 0` as a real process; yields the port it printed."""
    review = f'[review]\npassword_hash = "{hash_password(PASSWORD)}"\n'
    config = write_config(tmp_path, extra=review)
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "serve", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "monitor serve printed nothing within 60 s"
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        assert match, process.stderr.read()
        yield int(match.group(1))
    finally:
        process.terminate()
        process.wait(timeout=10)


def request(port: int, method: str, path: str, *, cookie: str = "", form: dict | None = None,
            origin: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = origin or f"http://127.0.0.1:{port}"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.text = response.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
    return response


def cookie_of(response) -> str:
    header = response.getheader("Set-Cookie") or ""
    return header.split(";", 1)[0]


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(port: int) -> tuple[str, str]:
    """(cookie, CSRF token) of a fresh sign-in."""
    login = request(port, "GET", "/login")
    response = request(port, "POST", "/login", cookie=cookie_of(login), form={
        "csrf_token": token_in(login.text), "name": "Ana Reviewer", "password": PASSWORD})
    assert response.status == 302, response.text
    cookie = cookie_of(response)
    page = request(port, "GET", "/", cookie=cookie)
    assert page.status == 200
    return cookie, token_in(page.text)


def test_a_cookie_copied_before_sign_out_no_longer_works(served):
    copied, token = signed_in(served)
    out = request(served, "POST", "/logout", cookie=copied, form={"csrf_token": token})
    assert out.status == 302
    again = request(served, "GET", "/", cookie=copied)
    assert again.status == 302 and again.getheader("Location").startswith("/login")


def test_a_copied_cookie_cannot_act_after_sign_out(served):
    copied, token = signed_in(served)
    request(served, "POST", "/logout", cookie=copied, form={"csrf_token": token})
    replay = request(served, "POST", "/logout", cookie=copied, form={"csrf_token": token})
    assert replay.status == 401


def test_signing_out_one_session_leaves_another_signed_in(served):
    first, token = signed_in(served)
    second, _ = signed_in(served)
    request(served, "POST", "/logout", cookie=first, form={"csrf_token": token})
    assert request(served, "GET", "/", cookie=second).status == 200


def test_origin_with_the_wrong_scheme_is_refused(served):
    cookie, token = signed_in(served)
    response = request(served, "POST", "/logout", cookie=cookie, form={"csrf_token": token},
                       origin=f"https://127.0.0.1:{served}")
    assert response.status == 403
    assert request(served, "GET", "/", cookie=cookie).status == 200  # still signed in
