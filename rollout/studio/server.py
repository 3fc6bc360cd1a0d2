"""Start the studio: bind 127.0.0.1 only (never another address), a new token each start,
the address with its token printed first, the browser opened, stopped by Ctrl+C."""
from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path

import uvicorn

from rollout.errors import RolloutError
from rollout.studio.app import make_app
from rollout.studio.security import new_token
from rollout.studio.session import Session

HOST = "127.0.0.1"


def listening_socket(port: int) -> socket.socket:
    """A socket on 127.0.0.1 (port 0: a free port the system picks)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError:  # most often a studio started before still runs on that port
        sock.close()
        raise RolloutError(
            f"port {port} is in use on this computer, perhaps by a studio started earlier "
            "(its window shows its address; Ctrl+C there stops it). Choose another --port, "
            "or leave --port out and a free one is picked.") from None
    sock.listen(128)
    return sock


def default_out_dir(district_dir: Path) -> Path:
    """Outputs beside the district folder: `<folder>-plan`."""
    district_dir = Path(district_dir).resolve()
    return district_dir.with_name(district_dir.name + "-plan")


def serve(district_dir: Path, previous: Path | None, out_dir: Path | None, port: int,
          open_browser: bool, echo=print, rubric: Path | None = None) -> None:
    sock = listening_socket(port)  # first: a port in use is said before the files are read
    session = Session(Path(district_dir), previous, out_dir or default_out_dir(district_dir),
                      rubric)
    session.read()
    port = sock.getsockname()[1]
    token = new_token()
    url = f"http://{HOST}:{port}/?token={token}"
    echo(f"Open {url}")
    echo("The studio runs until you press Ctrl+C here.")
    server = uvicorn.Server(uvicorn.Config(make_app(session, token, port), log_level="warning",
                                           access_log=False, lifespan="on"))
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl+C: the server has shut down; that is how it stops
        pass
    finally:
        session.shutdown()
        sock.close()
