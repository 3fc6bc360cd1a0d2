"""The studio's web application: pages (Jinja2 templates, htmx) and the JSON API under /api/.
Each route parses its request, asks the session (which calls the library) and shows the
answer; nothing here plans, checks or writes files itself."""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from rollout.studio.pages import Pages
from rollout.studio.security import Guard
from rollout.studio.session import Session, StudioError
from rollout.studio.whatif_form import entered

HERE = Path(__file__).parent
# The only files the studio serves: a fixed list read once at start (no request names a file).
STATIC_FILES = {"htmx-2.0.4.min.js": "text/javascript", "studio.js": "text/javascript",
                "studio.css": "text/css"}
PROGRESS_EVERY_SECONDS = 0.5


def static_bodies() -> dict[str, tuple[bytes, str]]:
    return {name: ((HERE / "static" / name).read_bytes(), kind)
            for name, kind in STATIC_FILES.items()}


def make_app(session: Session, token: str, port: int) -> Guard:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    pages = Pages(session)
    statics = static_bodies()

    @app.exception_handler(StudioError)
    async def studio_error(request: Request, exc: StudioError):
        return PlainTextResponse(str(exc), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        words = {404: "There is no such page in the studio.",
                 405: "That address does not take this kind of request."}
        return PlainTextResponse(words.get(exc.status_code, "That request cannot be done."),
                                 status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return PlainTextResponse("The request is not what the studio expects.", status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # The details go to the terminal the studio runs in, never to the page.
        logging.getLogger("rollout.studio").error("unexpected failure", exc_info=exc)
        return PlainTextResponse("Something went wrong in the studio; please try again.",
                                 status_code=500)

    # ----- files -----------------------------------------------------------------------------

    @app.get("/static/{name}")
    async def static(name: str):
        if name not in statics:
            raise StudioError("There is no such file in the studio.", 404)
        body, kind = statics[name]
        return PlainTextResponse(body, media_type=kind,
                                 headers={"Cache-Control": "max-age=3600"})

    # ----- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, focus: str = ""):
        return HTMLResponse(pages.home(focus))

    @app.get("/inputs", response_class=HTMLResponse)
    def inputs_page():
        return HTMLResponse(pages.inputs())

    @app.get("/whatif", response_class=HTMLResponse)
    def whatif_page():
        return HTMLResponse(pages.whatif())

    @app.get("/whatif/scenario.yaml")
    async def whatif_yaml():
        made = session.whatif
        if made is None:
            raise StudioError("Try a what-if first.", 404)
        return PlainTextResponse(made.yaml_text, media_type="application/yaml", headers={
            "Content-Disposition": 'attachment; filename="what-if.yaml"'})

    @app.post("/actions/whatif")
    async def whatif_action(request: Request):
        return await form_action(request, lambda f: session.try_whatif_form(entered(f))
                                 or "/whatif", "/whatif")

    @app.get("/schools/{school_id}", response_class=HTMLResponse)
    def school_page(school_id: str):
        return HTMLResponse(pages.school(school_id))

    async def form_action(request: Request, act, back: str = "/") -> RedirectResponse:
        """A form of the pages: do it, say the outcome (or the problem) on the next page."""
        form = await request.form()
        try:  # in a thread: reading a district or writing a file must not hold up progress
            target = await run_in_threadpool(act, form) or back
        except StudioError as exc:
            session.say("problem", text=str(exc))
            target = back
        return RedirectResponse(target, status_code=303)

    @app.post("/actions/plan")
    async def plan_action(request: Request):
        return await form_action(request, lambda f: session.start_solve())

    @app.post("/actions/replan")
    async def replan_action(request: Request):
        return await form_action(request, lambda f: session.start_solve(around_board=True))

    @app.post("/actions/stop")
    async def stop_action(request: Request):
        # Back to the page the work was started from: a what-if's answer is on What if.
        page = "/whatif" if session.kind == "whatif" else "/"
        return await form_action(request, lambda f: session.stop_solve() or page, page)

    @app.post("/actions/read-again")
    async def read_again(request: Request):
        def act(form):
            session.read_again()
            return "/inputs"
        return await form_action(request, act, "/inputs")

    @app.post("/actions/undo")
    async def undo_action(request: Request):
        def act(form):
            sid = session.undo()  # focus goes to the school concerned, as after a move
            return f"/?focus={sid}#school-{sid}" if sid else "/"
        return await form_action(request, act)

    @app.post("/actions/decide")
    async def decide_action(request: Request):
        def act(form):
            sid = str(form.get("school_id", ""))
            session.decide(sid, str(form.get("decision", "")), number(form.get("cohort")),
                           str(form.get("reason", "")))
            return f"/schools/{sid}"
        form = await request.form()
        return await form_action(request, act, f"/schools/{form.get('school_id', '')}"
                                 if str(form.get("school_id", "")) in known_ids() else "/")

    @app.post("/actions/undecide")
    async def undecide_action(request: Request):
        def act(form):
            sid = str(form.get("school_id", ""))
            session.undecide(sid)
            return f"/schools/{sid}"
        return await form_action(request, act)

    @app.post("/actions/save")
    async def save_action(request: Request):
        return await form_action(request, lambda f: session.save() and "/")

    def known_ids() -> set[str]:
        return set(session.facts.district.school_by_id) if session.ready else set()

    @app.post("/actions/move")
    async def move_action(request: Request):
        def act(form):
            sid = str(form.get("school_id", ""))
            session.move(sid, number(form.get("cohort")))
            return f"/?focus={sid}#school-{sid}"
        return await form_action(request, act)

    # ----- the JSON API ----------------------------------------------------------------------

    @app.get("/api/plan")
    def get_plan():
        return JSONResponse(session.plan_state())

    @app.post("/api/plan", status_code=202)
    def post_plan():
        session.start_solve()
        return JSONResponse(session.plan_state(), status_code=202)

    @app.post("/api/replan", status_code=202)
    def post_replan():
        session.need_board()
        session.start_solve(around_board=True)
        return JSONResponse(session.plan_state(), status_code=202)

    @app.post("/api/plan/stop")
    def post_stop():
        session.stop_solve()
        return JSONResponse({"state": "stopping"})

    @app.get("/api/plan/events")
    async def plan_events(request: Request):
        return EventSourceResponse(progress_events(session, request, pages))

    @app.post("/api/check-move")
    async def post_check_move(request: Request):
        body = await json_body(request)
        checked = await run_in_threadpool(session.check_move, text(body, "school_id"),
                                          number(body.get("cohort")))
        return JSONResponse({"valid": checked.valid, "breaks": list(checked.breaks),
                             "changes": list(checked.changes)})

    @app.post("/api/move")
    async def post_move(request: Request):
        body = await json_body(request)
        moved = await run_in_threadpool(session.move, text(body, "school_id"),
                                        number(body.get("cohort")))
        session.take_announcement()
        return JSONResponse({"valid": moved.valid, "breaks": list(moved.breaks),
                             "changes": list(moved.changes)})

    @app.post("/api/read")
    def post_read():
        session.read_again()
        session.take_announcement()
        return JSONResponse({"problems": [str(p) for p in session.problems],
                             "status": session.status()})

    @app.get("/api/decisions")
    def get_decisions():
        return JSONResponse({"decisions": session.decisions_json()})

    @app.post("/api/decisions", status_code=201)
    async def post_decision(request: Request):
        body = await json_body(request)
        await run_in_threadpool(session.decide, text(body, "school_id"), text(body, "decision"),
                                number(body.get("cohort")), body.get("reason") or "")
        session.take_announcement()
        return JSONResponse({"decisions": session.decisions_json()}, status_code=201)

    @app.delete("/api/decisions/{school_id}")
    def delete_decision(school_id: str):
        session.undecide(school_id)
        session.take_announcement()
        return JSONResponse({"decisions": session.decisions_json()})

    @app.post("/api/save", status_code=202)
    def post_save():
        path = session.save()
        return JSONResponse({"state": "solving", "decisions_file": path.name,
                             "out": str(session.out_dir)}, status_code=202)

    @app.post("/api/whatif", status_code=202)
    async def post_whatif(request: Request):
        body = await json_body(request)
        await run_in_threadpool(session.run_whatif, body)
        return JSONResponse(session.whatif_json(), status_code=202)

    @app.get("/api/whatif")
    def get_whatif():
        return JSONResponse(session.whatif_json())

    @app.post("/api/undo")
    def post_undo():
        school_id = session.undo()
        session.take_announcement()
        return JSONResponse({"undone": school_id})

    app.router.on_shutdown.append(session.shutdown)
    return Guard(app, token, port)


async def progress_events(session: Session, request: Request, pages: Pages):
    """The solve's progress every half second while it runs, then `done` once."""
    last = None
    while True:
        if await request.is_disconnected():
            return
        progress = session.progress()
        if progress is None or not session.solving:
            yield {"event": "done", "data": json.dumps({"status": session.status()})}
            return
        shown = pages.progress_text(progress)
        if shown != last:
            yield {"event": "progress", "data": json.dumps(
                {"text": shown, "plans_found": progress.plans_found,
                 "proven_share": progress.proven_share,
                 "seconds_left": round(progress.seconds_left, 1),
                 "time_share": pages.time_share(progress)})}
            last = shown
        await asyncio.sleep(PROGRESS_EVERY_SECONDS)


async def json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise StudioError("The request's body must be JSON.", 400) from None
    if not isinstance(body, dict):
        raise StudioError("The request's body must be a JSON object.", 400)
    return body


def text(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise StudioError(f"{key} is missing.", 422)
    return value.strip()


def number(value) -> int:
    """A cohort number from JSON (a number) or a form (its digits)."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise StudioError("cohort must be a group number (1 = the first group).", 422)
