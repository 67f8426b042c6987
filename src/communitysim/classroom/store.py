"""The classroom's persistence: one SQLite file with sessions, teams, injects, releases and team logs.

Embedded (no server), safe for several team kernels on one machine: WAL journal, a busy timeout,
every write in its own ``BEGIN IMMEDIATE`` transaction committed before the caller returns (the UI
confirms a decision only after that). Safe from any thread: each thread gets its own connection
(widget callbacks may run in another thread than the one that opened the store, as in JupyterLab).
SQL is always parameterised; names and rationales are stored verbatim (they are escaped where they
are shown). The schema is versioned with SQLite's ``user_version`` and migrated forward on open; a
file from a newer communitysim is refused.

A team's log (``events``) is the single source of truth for its simulation: an ordered list of
clock advances, decisions and received injects, each at a crisis hour, from which the team's model
is rebuilt exactly (:mod:`communitysim.classroom.exercise`).

Example:
    >>> store = Store(":memory:")
    >>> session = store.create_session("Group A", {"days": 5}, "demo", seed=3, teams=["Red", "Blue"])
    >>> [team.name for team in store.teams(session)]
    ['Red', 'Blue']
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from communitysim.exercise.session import ExerciseError
from communitysim.files import clean_text
from communitysim.messages import t

__all__ = ["ClassroomError", "Event", "Inject", "Session", "Store", "Team", "SCHEMA_VERSION", "default_path"]

#: Event kinds of a team's log.
EVENT_KINDS = ("advance", "decision", "inject")

#: Migrations, one SQL script per schema version (index 0 takes an empty file to version 1).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        scenario_name TEXT NOT NULL,
        scenario TEXT NOT NULL,                 -- the scenario's fields as given (JSON)
        seed INTEGER NOT NULL,
        pace_hours_per_minute REAL,             -- NULL: step by step
        objectives TEXT NOT NULL DEFAULT '[]',  -- learning objectives (JSON list of text)
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused')),
        created_at TEXT NOT NULL
    );
    CREATE TABLE teams (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        name TEXT NOT NULL,
        UNIQUE (session_id, name)
    );
    CREATE TABLE injects (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        hour REAL,                              -- crisis hour of a timed inject, NULL: on demand
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        effect TEXT                             -- JSON: {"crisis": {...}} starts a new crisis, NULL: narrative only
    );
    CREATE TABLE releases (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        inject_id INTEGER NOT NULL REFERENCES injects(id),
        team_id INTEGER REFERENCES teams(id),   -- NULL: every team
        released_at TEXT NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('advance', 'decision', 'inject')),
        hour REAL NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (team_id, seq)
    );
    """,
    # 2: the class clock of paced sessions (started, paused, time spent paused)
    """
    ALTER TABLE sessions ADD COLUMN started_at TEXT;
    ALTER TABLE sessions ADD COLUMN paused_at TEXT;
    ALTER TABLE sessions ADD COLUMN paused_seconds REAL NOT NULL DEFAULT 0;
    UPDATE sessions SET started_at = created_at;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
#: How long a writer waits for another one (several team kernels), milliseconds.
BUSY_TIMEOUT_MS = 30_000


#: A classroom mistake (unknown session or team, a paused exercise, a bad database): one line; the
#: exercise's own error, so that the pages catch a mistake wherever the engine finds it.
ClassroomError = ExerciseError


def default_path() -> Path:
    """The classroom database: ``COMMUNITYSIM_CLASSROOM_DB`` or ``out/classroom.sqlite``."""
    return Path(os.environ.get("COMMUNITYSIM_CLASSROOM_DB", Path("out") / "classroom.sqlite"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Session:
    """An exercise session (a row of ``sessions``)."""

    id: int
    name: str
    scenario_name: str
    scenario: dict[str, Any]
    seed: int
    pace_hours_per_minute: float | None
    objectives: list[str]
    status: str
    created_at: str
    started_at: str
    paused_at: str | None
    paused_seconds: float

    def class_hour(self, now: datetime | None = None) -> float | None:
        """The class clock of a paced session: crisis hours since it started, pauses excluded (None: unpaced)."""
        if self.pace_hours_per_minute is None:
            return None
        now = now or datetime.now(UTC)
        stop = datetime.fromisoformat(self.paused_at) if self.paused_at else now
        running = (stop - datetime.fromisoformat(self.started_at)).total_seconds() - self.paused_seconds
        return max(0.0, running / 60.0 * self.pace_hours_per_minute)


@dataclass(frozen=True)
class Team:
    """A team of a session."""

    id: int
    session_id: int
    name: str


@dataclass(frozen=True)
class Inject:
    """A timed inject (``hour`` set) or an on-demand one (``hour`` None) of the master events list."""

    id: int
    session_id: int
    hour: float | None
    kind: str
    title: str
    body: str
    effect: dict[str, Any] | None


@dataclass(frozen=True)
class Event:
    """One entry of a team's log: a clock advance, a decision or a received inject, at a crisis hour."""

    id: int
    team_id: int
    seq: int
    kind: str
    hour: float
    payload: dict[str, Any]
    created_at: str


#: Names of in-memory databases (one per Store, shared by its threads' connections).
_MEMORY_NAMES = itertools.count(1)


class Store:
    """The classroom database (a path, or ``":memory:"`` for tests), usable from any thread.

    Each thread gets its own connection (``store.db``), opened on first use with the same settings;
    an in-memory store is one shared-cache database seen by all of them.

    Args:
        path: the SQLite file (created with its folder when missing).
    """

    def __init__(self, path: str | Path | None = None):
        self.path = str(path if path is not None else default_path())
        memory = self.path == ":memory:"
        if not memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._target = (
            f"file:communitysim-{os.getpid()}-{next(_MEMORY_NAMES)}?mode=memory&cache=shared" if memory else self.path
        )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ClassroomError(f"{self.path}: not a classroom database ({exc})") from None

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        connection = getattr(self._local, "db", None)
        if connection is None:
            connection = self._connect()
            self._local.db = connection
        return connection

    def _connect(self) -> sqlite3.Connection:
        memory = self.path == ":memory:"
        # check_same_thread=False only so that close() can close every thread's connection; each
        # connection is otherwise used by the thread that opened it
        db = sqlite3.connect(self._target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False, uri=memory)  # fmt: skip
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not memory:
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = FULL")  # a confirmed decision survives a power cut
        except sqlite3.DatabaseError as exc:
            db.close()
            raise ClassroomError(f"{self.path}: not a classroom database ({exc})") from None
        with self._lock:
            self._connections.append(db)
        return db

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on exit, rolled back on an error."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ClassroomError(
                    f"{self.path}: schema version {version} is newer than this communitysim's ({SCHEMA_VERSION}); "
                    "upgrade communitysim"
                )
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):  # no ";" inside the scripts, comments included
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        """The file's schema version."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # --- sessions -------------------------------------------------------------------------------

    def create_session(
        self,
        name: str,
        scenario: dict[str, Any],
        scenario_name: str,
        seed: int,
        teams: list[str],
        injects: list[dict[str, Any]] | None = None,
        pace_hours_per_minute: float | None = None,
        objectives: list[str] | None = None,
    ) -> Session:
        """Create a session with its teams and master events list, in one transaction."""
        name = clean_text(name)  # no NUL nor right-to-left override: the name reaches reports
        if not name:
            raise ClassroomError(t("class.error.session_name"))
        names = [clean_text(team) for team in teams]
        if not names or any(not team for team in names):
            raise ClassroomError(t("class.error.teams", teams=repr(teams)))
        if len(set(names)) != len(names):
            raise ClassroomError(t("class.error.team_twice", teams=repr(names)))
        if pace_hours_per_minute is not None and not 0 < pace_hours_per_minute < math.inf:  # stored: checked first
            raise ClassroomError(t("class.error.pace", pace=repr(pace_hours_per_minute)))
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ClassroomError(t("class.error.seed", seed=repr(seed)[:40]))
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM sessions WHERE name = ?", (name,)).fetchone():
                raise ClassroomError(t("class.error.session_exists", name=repr(name)))
            now = _now()
            cursor = db.execute(
                "INSERT INTO sessions (name, scenario_name, scenario, seed, pace_hours_per_minute, objectives,"
                " created_at, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, scenario_name, json.dumps(scenario), int(seed), pace_hours_per_minute,
                 json.dumps(objectives or []), now, now),
            )  # fmt: skip
            session_id = cursor.lastrowid
            db.executemany("INSERT INTO teams (session_id, name) VALUES (?, ?)", [(session_id, n) for n in names])
            for inject in injects or []:
                db.execute(
                    "INSERT INTO injects (session_id, hour, kind, title, body, effect) VALUES (?, ?, ?, ?, ?, ?)",
                    (session_id, inject.get("hour"), inject["kind"], inject["title"], inject["body"],
                     json.dumps(inject["effect"]) if inject.get("effect") else None),
                )  # fmt: skip
        return self.session(name)

    def session(self, name: str) -> Session:
        """A session by name."""
        row = self.db.execute("SELECT * FROM sessions WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = ", ".join(self.session_names()) or t("class.error.none_yet")
            raise ClassroomError(t("class.error.no_such_session", name=repr(name), known=known))
        return self._session(row)

    def session_by_id(self, session_id: int) -> Session:
        """A session by id."""
        row = self.db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise ClassroomError(f"session #{session_id}: no such session")
        return self._session(row)

    def session_names(self) -> list[str]:
        """Every session's name, newest first."""
        return [r[0] for r in self.db.execute("SELECT name FROM sessions ORDER BY id DESC")]

    @staticmethod
    def _session(row: tuple) -> Session:
        id_, name, scenario_name, scenario, seed, pace, objectives, status, created, started, paused, pauses = row
        return Session(id_, name, scenario_name, json.loads(scenario), seed, pace, json.loads(objectives), status,
                       created, started, paused, pauses)  # fmt: skip

    def set_status(self, session: Session, status: str) -> None:
        """Pause or resume a session (``running`` or ``paused``)."""
        if status not in ("running", "paused"):
            raise ClassroomError(f"status: expected running or paused, got {status!r}")
        with self.transaction() as db:
            current, paused_at = db.execute(
                "SELECT status, paused_at FROM sessions WHERE id = ?", (session.id,)
            ).fetchone()
            if status == current:
                return
            if status == "paused":
                db.execute("UPDATE sessions SET status = 'paused', paused_at = ? WHERE id = ?", (_now(), session.id))
            else:  # the class clock goes on from where it stopped
                pause = (datetime.now(UTC) - datetime.fromisoformat(paused_at)).total_seconds() if paused_at else 0.0
                db.execute(
                    "UPDATE sessions SET status = 'running', paused_at = NULL, paused_seconds = paused_seconds + ?"
                    " WHERE id = ?",
                    (pause, session.id),
                )

    # --- teams, injects, releases ---------------------------------------------------------------

    def teams(self, session: Session) -> list[Team]:
        """The session's teams, in creation order."""
        rows = self.db.execute("SELECT id, session_id, name FROM teams WHERE session_id = ? ORDER BY id", (session.id,))
        return [Team(*row) for row in rows]

    def team(self, session: Session, name: str) -> Team:
        """A team of the session by name."""
        for team in self.teams(session):
            if team.name == name:
                return team
        known = ", ".join(team.name for team in self.teams(session))
        raise ClassroomError(t("class.error.no_such_team", name=repr(name), session=repr(session.name), known=known))

    def injects(self, session: Session, timed: bool | None = None) -> list[Inject]:
        """The master events list (timed ones by hour, then on-demand ones); ``timed`` filters."""
        rows = self.db.execute(
            "SELECT id, session_id, hour, kind, title, body, effect FROM injects WHERE session_id = ?"
            " ORDER BY hour IS NULL, hour, id",
            (session.id,),
        )
        found = [Inject(*row[:6], json.loads(row[6]) if row[6] else None) for row in rows]
        if timed is None:
            return found
        return [inject for inject in found if (inject.hour is not None) == timed]

    def inject(self, inject_id: int) -> Inject:
        """An inject by id."""
        row = self.db.execute(
            "SELECT id, session_id, hour, kind, title, body, effect FROM injects WHERE id = ?", (inject_id,)
        ).fetchone()
        if row is None:
            raise ClassroomError(f"inject #{inject_id}: no such inject")
        return Inject(*row[:6], json.loads(row[6]) if row[6] else None)

    def release(self, session: Session, inject: Inject, team: Team | None = None) -> int:
        """Release an on-demand inject to one team or (``team`` None) to all; returns the release id."""
        if inject.session_id != session.id or inject.hour is not None:
            raise ClassroomError(f"inject {inject.title!r}: not an on-demand inject of session {session.name!r}")
        if team is not None and team.session_id != session.id:
            raise ClassroomError(t("class.error.other_session", team=repr(team.name), session=repr(session.name)))
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO releases (session_id, inject_id, team_id, released_at) VALUES (?, ?, ?, ?)",
                (session.id, inject.id, team.id if team else None, _now()),
            )
        return int(cursor.lastrowid)

    def releases_for(self, team: Team) -> list[tuple[int, Inject]]:
        """(release id, inject) released to this team or to all, oldest first."""
        rows = self.db.execute(
            "SELECT id, inject_id FROM releases WHERE session_id = ? AND (team_id IS NULL OR team_id = ?) ORDER BY id",
            (team.session_id, team.id),
        ).fetchall()
        return [(release_id, self.inject(inject_id)) for release_id, inject_id in rows]

    # --- team logs ------------------------------------------------------------------------------

    def log(self, team: Team, kind: str, hour: float, payload: dict[str, Any], session: Session | None = None) -> Event:
        """Append an event to the team's log, committed before this returns.

        With ``session``, the team must be one of that session's (checked in the database, in the
        same transaction): a run of one session never writes into another's logs.
        """
        if kind not in EVENT_KINDS:
            raise ClassroomError(f"event kind: expected one of {', '.join(EVENT_KINDS)}, got {kind!r}")
        if not math.isfinite(hour):
            raise ClassroomError(f"event hour: expected a finite number of hours, got {hour!r}")
        with self.transaction() as db:
            owner = db.execute("SELECT session_id FROM teams WHERE id = ?", (team.id,)).fetchone()
            if owner is None or owner[0] != team.session_id or (session is not None and owner[0] != session.id):
                raise ClassroomError(t("class.error.other_session", team=repr(team.name),
                                       session=repr(session.name if session else team.session_id)))  # fmt: skip
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE team_id = ?", (team.id,)).fetchone()[0]
            created = _now()
            cursor = db.execute(
                "INSERT INTO events (team_id, seq, kind, hour, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (team.id, seq, kind, float(hour), json.dumps(payload), created),
            )
        return Event(int(cursor.lastrowid), team.id, int(seq), kind, float(hour), payload, created)

    def events(self, team: Team, after_seq: int = 0) -> list[Event]:
        """The team's log after ``after_seq``, in order."""
        rows = self.db.execute(
            "SELECT id, team_id, seq, kind, hour, payload, created_at FROM events WHERE team_id = ? AND seq > ?"
            " ORDER BY seq",
            (team.id, after_seq),
        )
        return [Event(*row[:5], json.loads(row[5]), row[6]) for row in rows]
