"""Build the wheel and sdist, install the wheel into a fresh venv outside the checkout, use it from there.

What a new user meets: ``pip install communitysim[lab]`` then ``communitysim ...`` in a folder of
their own. Checks (each step is timed; any failure exits 1 naming the step):

1. ``python -m build`` writes an sdist and a wheel built from that sdist (so the sdist is complete);
2. a new venv in a temporary folder installs the wheel with its ``lab`` extra (pip's wheel cache
   is reused: a warm machine installs in about a minute);
3. from a folder outside the checkout: ``communitysim --version`` is the package's version,
   ``communitysim scenarios`` lists every shipped scenario, and each one runs by name;
4. ``communitysim lab WORK`` copies the notebooks and JupyterLab serves them (its contents API lists
   them, the welcome notebook opens); a second start keeps a learner's edit;
5. one copied notebook runs top to bottom (``jupyter nbconvert --execute``) in that venv.

Example:
    $ python tools/check_wheel.py          # make test-wheel (part of make test)
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from communitysim.ui.launch import KERNEL_CLIENT_OPTION

ROOT = Path(__file__).resolve().parents[1]
#: Shorter runs keep the check to a couple of minutes; every scenario still runs by its name.
RUN_OPTIONS = ["--days", "20", "--set", "audience.size=300", "--set", "seeding.size=20"]
NOTEBOOK = "01_first_members.ipynb"


def step(title: str):
    print(f"[check_wheel] {title}", flush=True)
    return time.perf_counter()


def done(start: float) -> None:
    print(f"[check_wheel]   ok in {time.perf_counter() - start:.1f} s", flush=True)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"[check_wheel] FAILED: {' '.join(command)} exited {proc.returncode}")
    return proc.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def check_lab(bin_dir: Path, work: Path, here: Path, env: dict[str, str]) -> None:
    """Start ``communitysim lab WORK``, read the notebooks through its API, stop it."""
    port, token = free_port(), "check-wheel-token"
    command = [str(bin_dir / "communitysim"), "lab", str(work), "--no-browser", f"--port={port}",
               f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]  # fmt: skip
    with open(here / "lab.log", "w") as log:
        proc = subprocess.Popen(command, cwd=here, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 120
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"[check_wheel] FAILED: communitysim lab exited {proc.returncode}: "
                                     + (here / "lab.log").read_text()[-2000:])  # fmt: skip
                try:
                    status, body = get(port, f"/api/contents?token={token}")
                    if status == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline:
                    raise SystemExit("[check_wheel] FAILED: JupyterLab did not answer in 120 s")
                time.sleep(0.5)
            names = {item["name"] for item in json.loads(body)["content"]}
            if "00_welcome.ipynb" not in names or NOTEBOOK not in names:
                raise SystemExit(f"[check_wheel] FAILED: the lab's folder holds {sorted(names)}")
            status, _ = get(port, f"/lab/tree/00_welcome.ipynb?token={token}")
            refused, _ = get(port, "/api/contents")
            if status != 200 or refused not in (401, 403):
                said = f"/lab/tree answered {status}, /api/contents without token {refused}"
                raise SystemExit(f"[check_wheel] FAILED: {said}")
            print(f"[check_wheel]   the lab serves {len(names)} notebooks from {work}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> int:
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="communitysim-wheel-") as tmp:
        here = Path(tmp)
        dist = here / "dist"
        start = step("building the sdist and the wheel (python -m build)")
        run([python, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=here)
        (wheel,) = dist.glob("communitysim-*.whl")
        (sdist,) = dist.glob("communitysim-*.tar.gz")
        print(f"[check_wheel]   {wheel.name} ({wheel.stat().st_size // 1024} KiB), {sdist.name}")
        done(start)

        start = step("installing the wheel with its lab extra into a fresh venv outside the checkout")
        venv = here / "venv"
        run([python, "-m", "venv", str(venv)], cwd=here)
        bin_dir = venv / "bin"
        pip = [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
        ]
        run([*pip, f"communitysim[lab] @ {wheel.as_uri()}"], cwd=here)
        done(start)

        env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV")}
        env |= {"PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "COMMUNITYSIM_LANG": "en",
                "JUPYTER_CONFIG_DIR": str(here / "jupyter-config"),
                "JUPYTER_DATA_DIR": str(here / "jupyter-data")}  # fmt: skip
        cli = str(bin_dir / "communitysim")
        start = step("the CLI from outside the checkout: version, scenarios, each scenario run by name")
        version = run([cli, "--version"], cwd=here, env=env).strip()
        expected = run([str(bin_dir / "python"), "-c", "import communitysim; print(communitysim.__version__)"],
                       cwd=here, env=env).strip()  # fmt: skip
        if version != f"communitysim {expected}" or expected not in wheel.name:
            raise SystemExit(f"[check_wheel] FAILED: --version says {version!r}, the package {expected!r}")
        listing = run([cli, "scenarios"], cwd=here, env=env)
        names = [line.split()[0] for line in listing.splitlines() if line.strip()]
        shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
        if names != shipped:
            raise SystemExit(f"[check_wheel] FAILED: the wheel lists {names}, the checkout ships {shipped}")
        for name in names:
            out = run([cli, "run", name, *RUN_OPTIONS, "--out", str(here / "runs" / name)], cwd=here, env=env)
            if not (here / "runs" / name / "kpis.json").is_file():
                raise SystemExit(f"[check_wheel] FAILED: communitysim run {name} wrote no kpis.json:\n{out}")
        print(f"[check_wheel]   {len(names)} scenarios listed and run by name: {', '.join(names)}")
        done(start)

        start = step("communitysim lab WORK: the notebooks copied and served by JupyterLab")
        work = here / "work"
        check_lab(bin_dir, work, here, env)
        edited = work / NOTEBOOK
        notebook = json.loads(edited.read_text(encoding="utf-8"))
        notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "My own notes"})
        edited.write_text(json.dumps(notebook), encoding="utf-8")
        mark = edited.read_text(encoding="utf-8")
        check_lab(bin_dir, work, here, env)
        if edited.read_text(encoding="utf-8") != mark:
            raise SystemExit("[check_wheel] FAILED: a second communitysim lab overwrote an edited notebook")
        done(start)

        start = step(f"running {NOTEBOOK} from the working folder in that venv")
        fresh = work / "fresh"
        fresh.mkdir()
        (fresh / NOTEBOOK).write_bytes(edited.read_bytes())
        run([str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=300", KERNEL_CLIENT_OPTION, NOTEBOOK], cwd=fresh, env=env)  # fmt: skip
        cells = json.loads((fresh / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
        errors = [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            raise SystemExit(f"[check_wheel] FAILED: {NOTEBOOK} raised {errors[0].get('ename')}")
        done(start)
    print("[check_wheel] ALL OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
