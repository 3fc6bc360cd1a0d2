"""A real `rollout studio` for the tests: started on a free port as its own process, driven
over HTTP (http.client, so that every header can be set), stopped when the test is done."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

START_SECONDS = 60


@dataclass
class Studio:
    process: subprocess.Popen
    url: str
    port: int
    token: str

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                auth: bool = True, host: str | None = None) -> tuple[int, str, dict]:
        """One request; the token as a Bearer header unless `auth` is False."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": host or f"127.0.0.1:{self.port}"}
        if auth:
            sent["Authorization"] = f"Bearer {self.token}"
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        found = {k.lower(): v for k, v in response.getheaders()}
        connection.close()
        return response.status, text, found

    def json(self, method: str, path: str, body=None) -> dict:
        status, text, _ = self.request(method, path, body)
        assert status < 300, f"{method} {path}: {status} {text}"
        return json.loads(text)

    def wait_for_plan(self, seconds: float = 60) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self.json("GET", "/api/plan")
            if state["state"] == "done":
                return state
            time.sleep(0.2)
        raise AssertionError("the plan was not done in time")


def start_studio(district: Path, *extra: str) -> Studio:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "rollout", "studio", str(district), "--no-browser", "--port", "0",
         *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = process.stdout.readline().strip()
    if not first.startswith("Open http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"first line {first!r}; stderr: {process.stderr.read()}")
    url = first.removeprefix("Open ")
    parts = urlsplit(url)
    studio = Studio(process, url, parts.port, parts.query.removeprefix("token="))
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:  # the socket listens at once; wait for the app
        try:
            if studio.request("GET", "/api/plan")[0] == 200:
                return studio
        except OSError:
            pass
        time.sleep(0.1)
    stop_studio(studio)
    raise AssertionError("the studio did not answer")


def stop_studio(studio: Studio) -> None:
    studio.process.terminate()
    try:
        studio.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        studio.process.kill()
        studio.process.wait()
