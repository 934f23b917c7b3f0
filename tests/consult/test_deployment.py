"""The deployment files in the repository hang together (no container runtime needed).

compose.yaml is read as YAML: its services, what they run, and every file of the repository they
name must exist; the Dockerfile copies what exists and runs as a user; nginx serves every static
folder the app has, from where the image puts it; the systemd units run the documented commands;
every setting the app reads from the environment is in docs/operations.md.
"""
from __future__ import annotations

import configparser
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from consult import config

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "app1", "app2", "worker")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_compose_has_the_topology(compose):
    services = compose["services"]
    assert set(services) == {"nginx", "app1", "app2", "worker", "migrate", "db", "redis"}
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    assert services["migrate"]["entrypoint"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["worker"]["entrypoint"] == ["flask", "--app", "wsgi", "analysis", "worker"]
    for name in ("app1", "app2"):
        assert "entrypoint" not in services[name]  # the image's: gunicorn -c gunicorn.conf.py wsgi:app
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_app_services_share_the_instance_volume_and_trust_one_proxy(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"] == {"context": ".", "target": "app"}
        assert "instance:/app/instance" in service["volumes"]
        environment = service["environment"]
        assert environment["GOPY_PROXY_COUNT"].endswith(":-1}")
        assert "@db:5432/" in environment["GOPY_DATABASE_URL"]
        assert environment["GOPY_REDIS_URL"] == "redis://redis:6379/0"
    assert set(compose["volumes"]) >= {"instance", "postgres", "redis"}


def test_every_file_compose_names_exists(compose):
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).is_file() or (ROOT / source).is_dir(), f"{name}: {source}"
    assert "./docs/deploy/nginx.conf:/etc/gopy/nginx.conf.in:ro" in compose["services"]["nginx"]["volumes"]


def test_the_dockerfile_copies_what_exists_and_runs_gunicorn_as_a_user(dockerfile):
    for source in re.findall(r"^COPY (?!--from)(\S+) ", dockerfile, re.M):
        assert source == "." or (ROOT / source).exists(), source
    assert re.search(r"^USER gopy$", dockerfile, re.M)
    assert 'ENTRYPOINT ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]' in dockerfile
    assert (ROOT / "gunicorn.conf.py").is_file()
    assert "compile_catalogs()" in dockerfile  # translations compiled at build
    assert "pip install -r requirements.txt" in dockerfile


def test_nginx_serves_every_static_folder_of_the_app(app, dockerfile):
    """Each blueprint's static URL has an nginx location, fed from the folder the image copies."""
    nginx = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    locations = dict(re.findall(r"location (/\S*static/) \{\s*alias @REPO@/(\S+?)/?;", nginx))
    copied = set(re.findall(r"^COPY --from=app /app/(\S+) /srv/gopy/\1$", dockerfile, re.M))
    owners = [app, *[bp for bp in app.blueprints.values() if bp.static_folder]]
    for owner in owners:
        folder = Path(owner.static_folder).relative_to(ROOT).as_posix()
        prefix = (getattr(owner, "url_prefix", None) or "") + (owner.static_url_path or "/static")
        assert locations.get(prefix.rstrip("/") + "/") == folder, prefix
        assert folder in copied, folder


def test_the_nginx_template_renders_completely(tmp_path):
    environment = {**os.environ, "GOPY_NGINX_TEMPLATE": str(ROOT / "docs" / "deploy" / "nginx.conf"),
                   "GOPY_NGINX_RUN_DIR": str(tmp_path), "GOPY_NGINX_LISTEN": "127.0.0.1:8299",
                   "GOPY_APP_SERVERS": "127.0.0.1:8201 127.0.0.1:8202", "GOPY_STATIC_ROOT": str(ROOT),
                   "GOPY_NGINX_CHECK": "1"}
    result = subprocess.run(["sh", str(ROOT / "docs" / "deploy" / "nginx-entrypoint.sh")], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = (tmp_path / "nginx.conf").read_text()
    assert "server 127.0.0.1:8201 max_fails=1" in rendered and "server 127.0.0.1:8202" in rendered
    assert not re.search(r"@[A-Z_]+@", rendered)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "docs" / "deploy" / name)
    return parser


def test_systemd_units_run_the_documented_commands():
    web, worker = unit("gopy@.service"), unit("gopy-worker@.service")
    assert web["Service"]["ExecStart"].endswith("gunicorn -c gunicorn.conf.py wsgi:app")
    assert worker["Service"]["ExecStart"].endswith("flask --app wsgi analysis worker")
    for parsed in (web, worker):
        assert parsed["Service"]["User"] == "gopy" and parsed["Service"]["EnvironmentFile"] == "/etc/gopy/gopy.env"
        assert parsed["Service"]["ReadWritePaths"] == "/srv/gopy/instance"
        assert parsed["Install"]["WantedBy"] == "multi-user.target"


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "operations.md").read_text()
    names = {*config.UNPREFIXED_NAMES, *config.WHOLE_NUMBERS, *config.SWITCHES,
             *config.TEXTS}
    missing = sorted(name for name in names if f"GOPY_{name}" not in documented)
    assert not missing, missing


def test_nginx_passes_the_applications_503_to_the_client():
    """The app answers 503 only when the database is unreachable, and both instances share it:
    nginx must hand that page (Vietnamese, the typed text kept, Retry-After) to the client, not
    count it as the instance failing, which with ``max_fails=1`` left no live instance during a
    PostgreSQL restart and answered nginx's bare 502 (bench/faults --restart-postgres)."""
    nginx = (ROOT / "docs" / "deploy" / "nginx.conf").read_text()
    retried_on = re.search(r"^\s*proxy_next_upstream ([^;]+);", nginx, re.M).group(1).split()
    assert "error" in retried_on and "http_503" not in retried_on
