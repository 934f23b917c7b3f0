"""The serving topology on this machine, without containers, for bench/load, bench/faults and
.ci/topology: a database of its own, gunicorn instances (gunicorn.conf.py), nginx from Debian
(docs/deploy/nginx.conf rendered), an RQ worker. Every process is started in its own session
and stopped by its id when the ``Stack`` closes; everything listens on 127.0.0.1 only.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN_PASSWORD = "bench-password-123"


class Stack:
    """Processes started for one run, stopped in reverse order by their ids on close."""

    def __init__(self, prefix: str):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.processes: list[subprocess.Popen] = []

    def spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen, timeout: float = 10) -> None:
        """SIGTERM to the process's group (it leads one), SIGKILL after ``timeout``."""
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(5)
        _signal_group(process.pid, signal.SIGKILL)  # orphans left in the group, if any

    def close(self, keep_logs: bool = False) -> None:
        for process in reversed(self.processes):
            self.stop(process)
        if not keep_logs:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- database ------------------------------------------------------------------------------

class Database:
    """A PostgreSQL database made for the run (dropped on close), or a SQLite file in ``folder``."""

    def __init__(self, kind: str, folder: Path, admin_url: str = POSTGRES_ADMIN_URL):
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{folder}/bench.sqlite3"
            return
        from sqlalchemy import create_engine, text

        self.name = f"gopy_bench_{uuid.uuid4().hex[:10]}"
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = admin_url.rsplit("/", 1)[0] + "/" + self.name

    def close(self) -> None:
        if self.kind == "sqlite":
            return
        from sqlalchemy import text

        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()


def app_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict:
    """The environment of every app process: one secret key, so instances share sessions."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(DATABASE_URL=database_url, SECRET_KEY="bench-shared-secret-" + "0" * 24,
               ADMIN_PASSWORD=ADMIN_PASSWORD, GOPY_RATELIMIT_ENABLED="false", PYTHONUNBUFFERED="1",
               # the clients are machines posting at once: the minimum fill time would stop them
               GOPY_ANTIBOT_MIN_SECONDS="0")
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def load_demo(env: dict) -> None:
    """Migrate and load the demo consultation, as ``flask demo load`` does for an operator."""
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", "demo", "load"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def compile_bytecode() -> None:
    """Write the app's bytecode, as the image does when it is built (Dockerfile: ``compileall``).
    A checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as this machine's shells are) would
    otherwise compile some 160 modules from source at every start of a master: ~0.25 s of CPU
    that no deployed instance spends."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "consult", "surveys", "analysis", "migrations",
                    "wsgi.py"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


# --- gunicorn, nginx, worker -------------------------------------------------------------------

@dataclass
class Instance:
    """One gunicorn instance (a master and its workers) on one port."""

    name: str
    port: int
    env: dict
    workers: int
    threads: int
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, stack: Stack) -> None:
        env = dict(self.env, GOPY_BIND=f"127.0.0.1:{self.port}", GOPY_WORKERS=str(self.workers),
                   GOPY_THREADS=str(self.threads), GOPY_PROC_NAME=f"gopy-{self.name}")
        self.process = stack.spawn(self.name, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], env)

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []


def children_of(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    except (FileNotFoundError, ProcessLookupError):
        return []


def wait_http(url: str, timeout: float, expect: int = 200) -> float:
    """Seconds until ``url`` answers ``expect``; raises TimeoutError after ``timeout``."""
    start = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == expect:
                    return time.monotonic() - start
        except OSError:
            pass
        if time.monotonic() - start > timeout:
            raise TimeoutError(url)
        time.sleep(0.05)


def render_nginx_conf(run_dir: Path, listen: int, app_ports: list[int], exempt_local: bool = True) -> Path:
    """Fill docs/deploy/nginx.conf's blanks for this machine; returns the rendered file."""
    template = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    servers = "\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in app_ports)
    text = (template.replace("@RUN_DIR@", str(run_dir)).replace("@LISTEN@", f"127.0.0.1:{listen}")
            .replace("@APP_SERVERS@", servers).replace("@REPO@", str(ROOT))
            .replace("@LIMIT_EXEMPT@", "127.0.0.1 0;" if exempt_local else ""))
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "nginx.conf"
    path.write_text(text)
    return path


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        sys.exit("nginx is missing: apt-get install -y nginx")
    return found


def start_nginx(stack: Stack, listen: int, app_ports: list[int], exempt_local: bool = True) -> subprocess.Popen:
    run_dir = stack.dir / "nginx"
    conf = render_nginx_conf(run_dir, listen, app_ports, exempt_local)
    nginx = ensure_nginx()
    subprocess.run([nginx, "-t", "-q", "-p", str(run_dir), "-c", str(conf)], check=True)
    return stack.spawn("nginx", [nginx, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"])


def start_worker(stack: Stack, env: dict) -> subprocess.Popen:
    return stack.spawn("rq-worker", [str(BIN / "flask"), "--app", "wsgi", "analysis", "worker"], env)


def in_app(database_url: str):
    """An application bound to the run's database, for setting data up from the bench itself."""
    sys.path.insert(0, str(ROOT))
    from consult import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                       "SERVER_NAME": "localhost"})


def api_tokens(database_url: str, count: int, slug: str) -> list[str]:
    """``count`` organisations on the consultation's roster, each with a write token (inserted
    in bulk: bench/load asks for thousands)."""
    import secrets
    from datetime import timedelta

    from sqlalchemy import insert, select

    from consult.api import tokens
    from consult.extensions import db
    from consult.models import Consultation, Organisation, utcnow
    from consult.submissions.models import ApiToken, RosterEntry

    app = in_app(database_url)
    raw_tokens = [tokens.TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in range(count)]
    if not count:
        return raw_tokens
    with app.app_context():
        consultation_id = db.session.scalar(select(Consultation.id).where(Consultation.slug == slug))
        now = utcnow()
        ids = db.session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), [
            {"code": f"BENCH{index:02d}", "kind": "association", "name": f"Hiệp hội thử tải {index}",
             "short_name": f"HH{index}", "former_names": []} for index in range(count)]).all()
        db.session.execute(insert(RosterEntry), [
            {"consultation_id": consultation_id, "organisation_id": oid, "deadline": now + timedelta(days=20),
             "added_at": now} for oid in ids])
        db.session.execute(insert(ApiToken), [
            {"organisation_id": oid, "label": "bench", "prefix": raw[:10], "token_hash": tokens.hash_token(raw),
             "scopes": "read submissions:write", "created_at": now} for oid, raw in zip(ids, raw_tokens)])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return raw_tokens
