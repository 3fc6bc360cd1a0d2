"""The planning studio's safety rules (#25), each against the real server on a free port: the
bind address, the token (address once, cookie, Bearer), the Host header (DNS rebinding), the
Origin of a change (CSRF), no request path reaching the file system, plain 4xx messages, and a
district with input errors opening on the Inputs page."""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.studio_kit import start_studio, stop_studio

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    district = tmp_path_factory.mktemp("studio_security") / "district"
    shutil.copytree(SAMPLE, district, ignore=shutil.ignore_patterns("year2", "scenarios"))
    running = start_studio(district)
    yield running
    stop_studio(running)


def test_first_line_is_the_address_with_a_token_and_only_127_0_0_1_listens(studio):
    assert studio.url.startswith(f"http://127.0.0.1:{studio.port}/?token=")
    assert len(studio.token) >= 24
    # Bound to 127.0.0.1, not every address: another loopback address of Linux finds no one.
    probe = socket.socket()
    probe.settimeout(2)
    try:
        assert probe.connect_ex(("127.0.0.2", studio.port)) != 0
    finally:
        probe.close()


def test_a_second_studio_on_the_same_port_says_so_plainly(studio, tmp_path):
    answer = subprocess.run(
        [sys.executable, "-m", "rollout.cli", "studio", str(SAMPLE), "--port",
         str(studio.port), "--no-browser"], capture_output=True, text=True, timeout=60)
    assert answer.returncode == 2, answer.stderr
    assert f"port {studio.port} is in use" in answer.stderr
    assert "Traceback" not in answer.stderr and "unexpectedly" not in answer.stderr


def test_every_request_needs_the_token(studio):
    for method, path in [("GET", "/"), ("GET", "/api/plan"), ("GET", "/static/studio.css"),
                         ("POST", "/api/plan")]:
        status, text, _ = studio.request(method, path, auth=False)
        assert status == 401, (method, path)
        assert "link it printed" in text
    status, _, _ = studio.request("GET", "/api/plan", auth=False,
                                  headers={"Authorization": "Bearer wrong-token"})
    assert status == 401
    status, _, _ = studio.request("GET", "/api/plan", auth=False,
                                  headers={"Cookie": f"rollout_studio_{studio.port}=wrong"})
    assert status == 401


def test_the_token_in_the_address_sets_a_cookie_once(studio):
    status, _, headers = studio.request("GET", f"/?token={studio.token}", auth=False)
    assert status == 303 and headers["location"] == "/"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"rollout_studio_{studio.port}={studio.token}")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    status, text, _ = studio.request("GET", "/", auth=False, headers={
        "Cookie": f"rollout_studio_{studio.port}={studio.token}"})
    assert status == 200 and "<main" in text
    # A token in the address does not authorise a change.
    status, _, _ = studio.request("POST", f"/api/plan/stop?token={studio.token}", auth=False,
                                  headers={"Origin": f"http://127.0.0.1:{studio.port}"})
    assert status == 401


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1", "127.0.0.1:1",
                                  "localhost.evil.example:{port}", "0.0.0.0:{port}"])
def test_a_foreign_host_header_is_refused(studio, host):
    status, text, _ = studio.request("GET", "/api/plan", host=host.format(port=studio.port))
    assert status == 400
    assert "answers only at 127.0.0.1" in text


def test_localhost_with_the_port_is_accepted(studio):
    assert studio.request("GET", "/api/plan", host=f"localhost:{studio.port}")[0] == 200


def test_a_change_from_another_origin_is_refused(studio):
    cookie = {"Cookie": f"rollout_studio_{studio.port}={studio.token}"}
    for origin in ["http://evil.example", f"http://127.0.0.1:{studio.port + 1}", "null"]:
        status, text, _ = studio.request("POST", "/api/check-move", {"school_id": "x",
                                         "cohort": 1}, auth=False,
                                         headers={**cookie, "Origin": origin})
        assert status == 403 and "own pages" in text
    # A browser's change (by its cookie) without any Origin is refused too.
    status, _, _ = studio.request("POST", "/api/plan/stop", auth=False, headers=cookie)
    assert status == 403
    # Cross-site by Sec-Fetch-Site, even with the right Origin.
    status, _, _ = studio.request("POST", "/api/plan/stop", auth=False, headers={
        **cookie, "Origin": f"http://127.0.0.1:{studio.port}", "Sec-Fetch-Site": "cross-site"})
    assert status == 403
    # The same change from the studio's own page gets through the guard.
    status, text, _ = studio.request("POST", "/api/plan/stop", auth=False, headers={
        **cookie, "Origin": f"http://localhost:{studio.port}"})
    assert status == 409 and "No plan is being made" in text


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/%2e%2e%2fpyproject.toml",
    "/static/..%2F..%2Fcli.py", "/static/studio.css%00.txt", "/schools/..%2F..%2Fsettings.yaml",
    "/../settings.yaml", "/district.xlsx", "/static/"])
def test_no_path_from_a_request_reaches_the_file_system(studio, path):
    status, text, _ = studio.request("GET", path)
    assert 400 <= status < 500
    assert "root:" not in text and "[project]" not in text and "import" not in text
    assert "Traceback" not in text


def test_bad_requests_get_plain_messages_never_tracebacks(studio):
    cases = [("POST", "/api/check-move", "not json"),
             ("POST", "/api/check-move", [1, 2]),
             ("POST", "/api/check-move", {"school_id": "ES038"}),
             ("POST", "/api/check-move", {"school_id": "ES038", "cohort": "two"}),
             ("POST", "/api/check-move", {"school_id": "ES038", "cohort": 99}),
             ("POST", "/api/check-move", {"school_id": "../../etc/passwd", "cohort": 1}),
             ("DELETE", "/api/plan", None), ("GET", "/nowhere", None)]
    for method, path, body in cases:
        status, text, headers = studio.request(method, path, body)
        assert 400 <= status < 500, (method, path, body, status, text)
        assert headers["content-type"].startswith("text/plain")
        assert "Traceback" not in text and "pydantic" not in text.lower() and text.strip()


def test_a_district_with_input_errors_opens_on_the_inputs_page(tmp_path):
    district = tmp_path / "broken"
    shutil.copytree(SAMPLE, district, ignore=shutil.ignore_patterns("year2", "scenarios"))
    settings = district / "settings.yaml"
    settings.write_text(settings.read_text().replace("need_weight: 0.4", "need_weight: lots"))
    running = start_studio(district)
    try:
        status, text, _ = running.request("GET", "/")
        assert status == 200
        assert "problem to fix before planning" in text or "problems to fix" in text
        assert "settings.yaml" in text and "need_weight" in text
        assert running.json("GET", "/api/plan")["status"] == "input errors"
        status, text, _ = running.request("POST", "/api/plan")
        assert status == 409 and "input errors" in text
    finally:
        stop_studio(running)


@pytest.mark.skipif(sys.platform == "win32", reason="Ctrl+C is a console event on Windows")
def test_ctrl_c_stops_the_studio_and_its_solve(tmp_path):
    district = tmp_path / "district"
    shutil.copytree(SAMPLE, district, ignore=shutil.ignore_patterns("year2", "scenarios"))
    running = start_studio(district)
    try:
        running.json("POST", "/api/plan")
        running.process.send_signal(signal.SIGINT)
        out, _ = running.process.communicate(timeout=60)
        assert running.process.returncode == 0
        assert out.strip().endswith("Studio stopped.")
        probe = socket.socket()
        assert probe.connect_ex(("127.0.0.1", running.port)) != 0
        probe.close()
    finally:
        if running.process.poll() is None:
            stop_studio(running)
