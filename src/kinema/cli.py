"""The ``kinema`` command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from kinema.engines import GenerationResult
    from kinema.runtime import Runtime

app = typer.Typer(
    name="kinema",
    help="Kinema: a self-hostable AI video studio and social app.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
admin_app = typer.Typer(help="Administration: users, invites, API keys, demo data.",
                        no_args_is_help=True)
app.add_typer(admin_app, name="admin")


# --- server, worker and account administration -----------------------------------------

_FIRST_RUN_INVITES = 5


def _fail(message: str) -> NoReturn:
    """One line on stderr and a non-zero exit; never a traceback."""
    typer.echo(f"kinema: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Turn the errors a person can cause (bad input, bad settings, unreachable
    database) into one readable line."""
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError

    from kinema.errors import KinemaError
    from kinema.queue import QueueError
    from kinema.storage import StorageError

    try:
        yield
    except KinemaError as exc:
        _fail(exc.message)
    except (QueueError, StorageError) as exc:
        _fail(str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "_".join(str(p) for p in first.get("loc", ())).upper()
        _fail(f"invalid setting KINEMA_{where}: {first['msg']}" if where else first["msg"])
    except OperationalError as exc:
        _fail(f"cannot use the database: {str(exc.orig).strip().splitlines()[0]}")
    except OSError as exc:
        _fail(str(exc))


DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where Kinema keeps its data (overrides KINEMA_DATA_DIR)."),
]


def _runtime(data_dir: Path | None) -> Runtime:
    from kinema.runtime import build_runtime
    from kinema.settings import load_settings

    return build_runtime(load_settings(data_dir=data_dir))


def _first_run_admin(runtime: Runtime, url: str) -> None:
    """On a fresh instance, create the admin account and say how to sign in."""
    import secrets

    from kinema.accounts import service
    from kinema.db import transaction
    from kinema.errors import Conflict

    with transaction(runtime.sessions) as session:
        if service.count_users(session) > 0:
            return
    password = secrets.token_urlsafe(12)
    try:
        with transaction(runtime.sessions) as session:
            admin = service.create_user(
                session,
                runtime.settings,
                handle="admin",
                email="admin@kinema.local",
                password=password,
                is_admin=True,
            )
            invites = service.issue_invites(
                session, count=_FIRST_RUN_INVITES, created_by=admin.id
            )
            codes = [invite.code for invite in invites]
    except Conflict:
        return  # another process started at the same moment and made it
    typer.echo("")
    typer.echo("Welcome to Kinema. An administrator account was created:")
    typer.echo(f"  sign in at  {url}/login")
    typer.echo("  handle      admin")
    typer.echo(f"  password    {password}")
    typer.echo("Invite codes for friends (more with `kinema admin invite`):")
    for code in codes:
        typer.echo(f"  {code}")
    typer.echo("")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: DataDirOption = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not run queue workers in this process.")
    ] = False,
) -> None:
    """Run the web app and API (with embedded queue workers unless --no-worker)."""
    import uvicorn

    from kinema.api.app import create_app

    with _plain_errors():
        runtime = _runtime(data_dir)
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        _first_run_admin(runtime, f"http://{shown_host}:{port}")
        application = create_app(runtime.settings, runtime, start_workers=not no_worker)
    typer.echo(f"Kinema is serving at http://{shown_host}:{port}  (Ctrl+C to stop)")
    # Forwarded headers are read by the app itself, from KINEMA_TRUSTED_PROXIES only.
    uvicorn.run(application, host=host, port=port, log_level="info", proxy_headers=False)


@app.command()
def worker(
    data_dir: DataDirOption = None,
    engine: Annotated[
        str | None,
        typer.Option(
            help="Serve only this engine's generations (e.g. ltx2), with its model kept "
            "loaded; run one such worker per GPU. Without it, the main queue is served.",
        ),
    ] = None,
) -> None:
    """Run queue workers only (for scale-out, next to `kinema serve --no-worker`)."""
    import logging

    from kinema.engines import EngineError
    from kinema.queue import prepare_worker

    with _plain_errors():
        runtime = _runtime(data_dir)
        # After start-up (migrations log a lot at INFO); the jobs' own logs are wanted.
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        try:
            consumer = prepare_worker(runtime, engine)
        except EngineError as exc:
            _fail(str(exc))
    if engine:
        # The default engine's generations share the main queue with every other task.
        typer.echo(
            f"Serving {engine} generations from the {consumer.huey.name!r} queue "
            "(Ctrl+C to stop)"
        )
    consumer.run()


@admin_app.command("create-user")
def admin_create_user(
    handle: Annotated[str, typer.Option(help="3-30 of a-z, 0-9, '_' and '.'.")],
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option()],
    admin: Annotated[bool, typer.Option("--admin", help="Make an administrator.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Create an account (no invite needed) and print its id."""
    from kinema.accounts import service
    from kinema.db import transaction

    with _plain_errors():
        runtime = _runtime(data_dir)
        with transaction(runtime.sessions) as session:
            user = service.create_user(
                session,
                runtime.settings,
                handle=handle,
                email=email,
                password=password,
                is_admin=admin,
            )
    typer.echo(user.id)


@admin_app.command("invite")
def admin_invite(
    count: Annotated[int, typer.Option(min=1, max=1000, help="How many codes.")] = 1,
    data_dir: DataDirOption = None,
) -> None:
    """Print fresh invite codes, one a line."""
    from kinema.accounts import service
    from kinema.db import transaction

    with _plain_errors():
        runtime = _runtime(data_dir)
        with transaction(runtime.sessions) as session:
            codes = [invite.code for invite in service.issue_invites(session, count=count)]
    for code in codes:
        typer.echo(code)


@admin_app.command("token")
def admin_token(
    handle: Annotated[str, typer.Option(help="Whose key.")],
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "admin",
    data_dir: DataDirOption = None,
) -> None:
    """Print a new API key for a user (shown once)."""
    from kinema.accounts import service
    from kinema.db import transaction

    with _plain_errors():
        runtime = _runtime(data_dir)
        with transaction(runtime.sessions) as session:
            user = service.get_user_by_handle(session, handle)
            _key, token = service.create_api_key(session, user_id=user.id, name=name)
    typer.echo(token)


@admin_app.command("role")
def admin_role(
    handle: Annotated[str, typer.Option(help="Whose role.")],
    role: Annotated[str, typer.Option(help="user, moderator or admin.")],
    data_dir: DataDirOption = None,
) -> None:
    """Make someone a moderator or an administrator (or a plain user again)."""
    from kinema.db import transaction
    from kinema.safety import service

    with _plain_errors():
        runtime = _runtime(data_dir)
        with transaction(runtime.sessions) as session:
            person = service.set_role(session, None, handle, role)
            shown = f"@{person.handle} is now {'an' if role == 'admin' else 'a'} {role}"
    typer.echo(shown)


@admin_app.command("seed")
def admin_seed(
    users: Annotated[int, typer.Option(min=0, help="How many demo users.")] = 100,
    videos: Annotated[int, typer.Option(min=0, help="How many published demo videos.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed, for repeatable demo data.")] = 0,
    clips: Annotated[
        int, typer.Option(min=1, max=16, help="How many real clips the videos share.")
    ] = 4,
    data_dir: DataDirOption = None,
) -> None:
    """Fill the database with demo users, published videos (playing a few really
    rendered clips) and whatever else the installed features seed."""
    from kinema.studio.seed import seed_demo_data

    with _plain_errors():
        runtime = _runtime(data_dir)
        report = seed_demo_data(runtime, users=users, videos=videos, seed=seed, clips=clips)
    extras = "".join(f", {count} {name}" for name, count in report.counts.items())
    typer.echo(
        f"Seeded {report.users} users and {report.videos} videos{extras} in "
        f"{report.seconds:.1f} s. Demo accounts sign in with the password "
        f"'{report.password}'."
    )


# --- generate: one video from the command line -----------------------------------------


def _generate_error(message: str) -> NoReturn:
    """One plain line on stderr and exit status 2 (bad input) without a traceback."""
    typer.echo(f"kinema: {message}", err=True)
    raise typer.Exit(2)


def _parse_number(name: str, text: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        _generate_error(f"{name} must be a number, got {text!r}.")
    if value != value or value in (float("inf"), float("-inf")):
        _generate_error(f"{name} must be a number, got {text!r}.")
    return value


def _default_output(prompt: str) -> Path:
    """``kinema-<first words of the prompt>.mp4`` in the current folder, never
    overwriting an earlier video."""
    import re

    words = re.findall(r"[a-z0-9]+", prompt.lower())[:6]
    stem = "kinema-" + ("-".join(words) or "video")
    candidate, n = Path(f"{stem}.mp4"), 2
    while candidate.exists():
        candidate, n = Path(f"{stem}-{n}.mp4"), n + 1
    return candidate


@app.command()
def generate(
    prompt: Annotated[
        str | None, typer.Argument(help="What the video shows (may be omitted with --plan).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the MP4.")
    ] = None,
    seconds: Annotated[
        str, typer.Option(metavar="N", help="Length in seconds, 1-20.")
    ] = "8",
    size: Annotated[
        str, typer.Option(metavar="WxH", help="Even sides from 128 to 1920.")
    ] = "720x1280",
    fps: Annotated[str, typer.Option(metavar="N", help="Frames per second, 1-60.")] = "24",
    seed: Annotated[str, typer.Option(metavar="N", help="Same seed, same video.")] = "0",
    image: Annotated[
        Path | None, typer.Option(help="A picture that becomes the scene.")
    ] = None,
    engine: Annotated[str, typer.Option(help="Which engine renders it.")] = "procedural",
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Render this saved plan (JSON).")
    ] = None,
    plan_out: Annotated[
        Path | None, typer.Option("--plan-out", help="Save the plan used (JSON).")
    ] = None,
    captions: Annotated[
        bool, typer.Option("--captions", help="Burn the dialogue into the picture.")
    ] = False,
) -> None:
    """Make a video with sound from a prompt (or a saved plan) and print its path."""
    import json

    from kinema.engines import EngineError, GenerationRequest, get_engine
    from kinema.engines.base import parse_size

    text = prompt or ""
    plan_data = None
    if plan is not None:
        try:
            plan_data = json.loads(plan.read_text(encoding="utf-8"))
        except OSError as exc:
            _generate_error(f"cannot read the plan {plan}: {exc.strerror or exc}.")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            _generate_error(f"the plan {plan} is not valid JSON ({exc}).")
        if not isinstance(plan_data, dict):
            _generate_error(f"the plan {plan} must be a JSON object.")
        text = text or str(plan_data.get("prompt", ""))
    elif not text.strip():
        _generate_error("the prompt is empty: describe the video you want.")
    try:
        width, height = parse_size(size)
        request = GenerationRequest(
            prompt=text,
            output=output or _default_output(text),
            seconds=_parse_number("--seconds", seconds, float),
            width=width,
            height=height,
            fps=int(_parse_number("--fps", fps, int)),
            seed=int(_parse_number("--seed", seed, int)),
            image=image,
            plan=plan_data,
            captions=captions,
        )
        if plan_data is not None:
            # A saved plan carries its own size, frame rate and length.
            request.seconds = float(plan_data.get("seconds", request.seconds) or 0)
            request.width = int(plan_data.get("width", request.width) or 0)
            request.height = int(plan_data.get("height", request.height) or 0)
            request.fps = int(plan_data.get("fps", request.fps) or 0)
        request.validate()
        chosen = get_engine(engine)
        result = _generate_with_progress(chosen, request)
        if plan_out is not None:
            plan_out.write_text(json.dumps(result.plan, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    except EngineError as exc:
        _generate_error(str(exc))
    except (TypeError, ValueError) as exc:
        _generate_error(f"the plan cannot be used: {exc}")
    except OSError as exc:
        _generate_error(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        typer.echo("kinema: stopped.", err=True)
        raise typer.Exit(130) from None
    typer.echo(str(result.video_path))


def _generate_with_progress(engine: object, request: object) -> GenerationResult:
    """Run the engine with a Rich progress bar on a terminal, plain stage lines
    otherwise (on stderr, so stdout carries only the path)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kinema.engines import Engine, GenerationRequest

    assert isinstance(engine, Engine) and isinstance(request, GenerationRequest)
    console = Console(stderr=True)
    weights = {"plan": 0.1, "render": 0.65, "sound": 0.1, "encode": 0.15}
    offsets = {"plan": 0.0, "render": 0.1, "sound": 0.75, "encode": 0.85}
    if not console.is_terminal:
        finished: set[str] = set()

        def plain(stage: str, fraction: float) -> None:
            if fraction >= 1.0 and stage not in finished:
                finished.add(stage)
                console.print(f"kinema: {stage} done", highlight=False)

        return engine.generate(request, plain)
    with Progress(TextColumn("{task.description:<8}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("plan", total=1.0)

        def update(stage: str, fraction: float) -> None:
            done = offsets.get(stage, 0.0) + weights.get(stage, 0.0) * min(1.0, fraction)
            bar.update(task, description=stage, completed=max(done, bar.tasks[0].completed))

        return engine.generate(request, update)


def main() -> None:
    app()
