"""``communitysim class``: the classroom served to the students' laptops, with Voila's own server.

Two Voila servers share the classroom database (``--db``, the SQLite log as in a one-machine class):

- the **team pages** (``08_classroom_team``), for the students, behind the session's **join code**;
- the **facilitator's dashboard** (``07_classroom_facilitator``), on the next port, behind a
  separate **facilitator password**.

Nothing answers without one: each server is started with its secret as its token (jupyter_server's
``IdentityProvider``: a page or an API call without it is sent to the login page or refused, a
kernel's websocket is refused). The secrets are drawn at random the first time and kept, readable by
their owner only, next to the database (``<db>.access.json``), so a restart keeps them; ``--join-code``
and ``--password`` choose them. They listen on 127.0.0.1 unless ``--ip`` says otherwise (``--ip
0.0.0.0``: the local network). Voila serves plain HTTP: over an untrusted network, put an HTTPS
reverse proxy in front (README, "A class on laptops").

Every page a student opens runs in its own kernel (one per team), started through a kernel
specification of our own (``python -m communitysim.classroom.kernel``) that bounds its memory
(``--kernel-memory``, MiB of address space): a runaway team page fails with a ``MemoryError`` in its
own kernel and the class goes on.

Example:
    $ communitysim class --db out/classroom.sqlite --ip 0.0.0.0 --port 8866
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communitysim.classroom.store import default_path
from communitysim.messages import language, t
from communitysim.ui.launch import voila_command

__all__ = ["Access", "access", "add_class_parser", "kernel_spec", "serve", "server_commands"]

#: The notebooks served, by role (the language's copy is chosen at start).
PAGES = {"team": "08_classroom_team", "facilitator": "07_classroom_facilitator"}
#: A kernel's memory bound when none is given, MiB of address space (a team page uses about 300).
KERNEL_MEMORY_MB = 1536
#: How long Voila waits for a cell's output after the cell ran, seconds (its default, 4, drops the
#: page's widgets when 30 kernels start at once on a busy machine: found by the load test).
IOPUB_TIMEOUT_S = 120
#: Letters of a join code: no 0/O, 1/I/L that students mistype.
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Access:
    """The secrets of a served class: the teams' join code, the facilitator's password."""

    join_code: str
    password: str


def _code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(length))


def access(database: Path, join_code: str | None = None, password: str | None = None) -> Access:
    """The class's secrets: those given, else those kept next to the database, else new ones (then kept).

    The file ``<db>.access.json`` is written atomically, readable by its owner only.
    """
    path = database.with_name(database.name + ".access.json")
    kept: dict[str, Any] = {}
    if path.is_file():
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
    chosen = Access(
        join_code=join_code or str(kept.get("join_code") or _code()),
        password=password or str(kept.get("password") or secrets.token_urlsafe(12)),
    )
    if chosen.join_code == chosen.password:
        raise ValueError(t("serve.same_secret"))
    if kept != {"join_code": chosen.join_code, "password": chosen.password}:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp: mode 0600
            json.dump({"join_code": chosen.join_code, "password": chosen.password}, handle)
        os.replace(partial, path)
    return chosen


def kernel_spec(folder: Path, memory_mb: int) -> Path:
    """Write the ``python3`` kernel specification of the served pages under ``folder`` (a JUPYTER_PATH).

    Returns:
        The ``JUPYTER_PATH`` entry to give the servers (``folder`` itself).
    """
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "communitysim.classroom.kernel", f"--memory-mb={memory_mb}"]
    argv += ["-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (communitysim class)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=2), encoding="utf-8")
    return folder


def page_notebook(role: str, lang: str) -> str:
    """The notebook of a role in a language.

    Example:
        >>> page_notebook("team", "fr"), page_notebook("facilitator", "en")
        ('08_classroom_team.fr.ipynb', '07_classroom_facilitator.ipynb')
    """
    stem = PAGES[role]
    return f"{stem}.ipynb" if lang == "en" else f"{stem}.{lang}.ipynb"


def server_commands(folder: Path, ip: str, port: int, secret: Access, options: list[str] = ()) -> dict[str, list[str]]:
    """The two Voila commands, by role: teams on ``port``, the facilitator on ``port + 1``."""
    lang = language()
    commands = {}
    for offset, (role, token) in enumerate((("team", secret.join_code), ("facilitator", secret.password))):
        commands[role] = voila_command(
            folder / page_notebook(role, lang), "--no-browser",
            f"--port={port + offset}", f"--Voila.ip={ip}", f"--token={token}", "--Voila.port_retries=0",
            f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}", *options,
        )  # fmt: skip
    return commands


def add_class_parser(commands: Any, helptext: Any) -> None:
    """The ``class`` subcommand's options (``helptext`` reads a help text from the catalogue)."""
    sub = commands.add_parser("class", help=helptext("cli.help.class"))
    sub.add_argument("--db", type=Path, default=None, help=helptext("cli.help.class_db"))
    sub.add_argument("--ip", default="127.0.0.1", help=helptext("cli.help.class_ip"))
    sub.add_argument("--port", type=int, default=8866, help=helptext("cli.help.class_port"))
    sub.add_argument("--join-code", default=None, help=helptext("cli.help.join_code"))
    sub.add_argument("--password", default=None, help=helptext("cli.help.class_password"))
    sub.add_argument("--kernel-memory", type=int, default=KERNEL_MEMORY_MB, help=helptext("cli.help.kernel_memory"))
    sub.add_argument("--folder", type=Path, default=None, help=helptext("cli.help.class_folder"))


def _address(ip: str) -> str:
    """The address to give the students: the machine's own on the network when bound to all interfaces."""
    if ip not in ("0.0.0.0", "::", ""):
        return ip
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


def serve(args: Any, options: list[str] = ()) -> int:
    """Run ``communitysim class`` until interrupted: copy the pages, start both servers, say where they are."""
    from communitysim.ui.launch import copy_notebooks

    database = Path(args.db) if args.db is not None else default_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        secret = access(database, args.join_code, args.password)
    except ValueError as exc:
        print(t("cli.error", message=exc), file=sys.stderr)
        return 2
    folder = (Path(args.folder) if args.folder is not None else database.parent / "class-pages").resolve()
    copy_notebooks(folder, language())
    jupyter_path = kernel_spec(folder / ".jupyter", args.kernel_memory)
    env = dict(os.environ)
    env["COMMUNITYSIM_CLASSROOM_DB"] = str(database.resolve())
    env["COMMUNITYSIM_CLASSROOM_SERVED"] = "1"  # the pages' database field is locked on it
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(jupyter_path), env.get("JUPYTER_PATH", "")) if p)
    env.setdefault("OMP_NUM_THREADS", "1")  # 30 kernels on a few cores: no thread pool each
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.pop("MPLBACKEND", None)
    procs = {
        role: subprocess.Popen(command, cwd=folder, env=env)
        for role, command in server_commands(folder, args.ip, args.port, secret, list(options)).items()
    }
    host = _address(args.ip)
    print(t("serve.teams", url=f"http://{host}:{args.port}/", code=secret.join_code))
    print(t("serve.facilitator", url=f"http://{host}:{args.port + 1}/", password=secret.password))
    print(t("serve.database", path=database))
    if args.ip not in ("127.0.0.1", "localhost", "::1"):
        print(t("serve.https"))
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    code = 0
    try:
        while not stop["now"]:
            ended = [p for p in procs.values() if p.poll() is not None]
            if ended:
                code = ended[0].returncode or 1
                print(t("serve.ended", code=code), file=sys.stderr)
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        code = 0
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return code
