"""What a user of ``deploy/`` relies on, read from its files: the compose stack, nginx.conf and
the Dockerfile.

Nothing here starts a container (the development machine has no Docker daemon); the files are
read as compose, nginx and Docker would read the parts that matter. PyYAML comes with the test
dependencies (schemathesis requires it).
"""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVERS = ("crosscheck-1", "crosscheck-2")
MILVUS_URI = "http://milvus:19530"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def volumes(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["volumes"]


@pytest.fixture(scope="module")
def upstream() -> str:
    """The body of nginx.conf's ``upstream crosscheck { ... }`` block."""
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    block = re.search(r"upstream crosscheck \{(.*?)\}", conf, re.DOTALL)
    assert block is not None, "nginx.conf has no 'upstream crosscheck' block"
    return block.group(1)


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (keyword, arguments), continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", "", text)
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _defaults(value: str) -> str:
    """``value`` with each ``${NAME:-default}`` replaced by its default, as compose does when
    NAME is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def _index_of(instructions: list[tuple[str, str]], keyword: str, needle: str) -> int:
    found = [i for i, (kw, args) in enumerate(instructions) if kw == keyword and needle in args]
    assert len(found) == 1, f"expected one {keyword} with {needle!r}, found {len(found)}"
    return found[0]


def test_two_crosscheck_servers_on_the_same_milvus(services: dict[str, Any]) -> None:
    built = {name for name, service in services.items() if "build" in service}
    assert built == set(SERVERS)
    for name in SERVERS:
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert service["environment"]["CROSSCHECK_BACKEND"] == "milvus"
        assert service["environment"]["CROSSCHECK_MILVUS_URI"] == MILVUS_URI
        assert service["depends_on"] == {"milvus": {"condition": "service_healthy"}}


def test_milvus_standalone_is_pinned_healthchecked_and_waits_for_its_stores(
    services: dict[str, Any], volumes: dict[str, Any]
) -> None:
    milvus = services["milvus"]
    assert re.fullmatch(r"milvusdb/milvus:v\d+\.\d+\.\d+", milvus["image"])
    assert milvus["command"] == ["milvus", "run", "standalone"]
    assert "http://localhost:9091/healthz" in milvus["healthcheck"]["test"]
    assert milvus["depends_on"] == {
        "etcd": {"condition": "service_healthy"},
        "minio": {"condition": "service_healthy"},
    }
    assert milvus["environment"]["ETCD_ENDPOINTS"] == "etcd:2379"
    assert milvus["environment"]["MINIO_ADDRESS"] == "minio:9000"
    for name in ("etcd", "minio", "milvus"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
        # Each store keeps its data in a named volume of this file, not in the container.
        sources = {mount.split(":")[0] for mount in services[name]["volumes"]}
        assert sources and sources <= set(volumes), name


def test_every_image_has_a_pinned_tag(services: dict[str, Any]) -> None:
    images = {name: service["image"] for name, service in services.items() if "image" in service}
    assert set(images) == {"etcd", "minio", "milvus", "proxy"}
    for name, image in images.items():
        tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image}"


def test_only_the_proxy_publishes_a_port_on_loopback(services: dict[str, Any]) -> None:
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"proxy"}
    (port,) = services["proxy"]["ports"]
    assert _defaults(port) == "127.0.0.1:8000:8000"
    assert services["proxy"]["volumes"] == ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    assert {name: services["proxy"]["depends_on"][name] for name in SERVERS} == {
        name: {"condition": "service_healthy"} for name in SERVERS
    }


def test_nginx_balances_both_servers_keeping_each_client_on_one(upstream: str) -> None:
    servers = re.findall(r"^\s*server\s+(\S+?)[\s;]", upstream, re.MULTILINE)
    assert servers == [f"{name}:8000" for name in SERVERS]
    # Conversations live in the server that started them: a client's follow-ups must return.
    assert re.search(r"^\s*ip_hash;", upstream, re.MULTILINE)


def test_nginx_listens_where_the_proxy_publishes_and_passes_health() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(r"^\s*listen 8000;", conf, re.MULTILINE)
    health = re.search(r"location = /health \{(.*?)\}", conf, re.DOTALL)
    assert health is not None
    assert "proxy_pass http://crosscheck;" in health.group(1)
    assert re.search(r"location / \{\s*proxy_pass http://crosscheck;\s*\}", conf)


def test_dockerfile_installs_the_cpu_torch_before_the_project(
    instructions: list[tuple[str, str]],
) -> None:
    assert instructions[0] == ("FROM", "python:3.11-slim")
    torch = _index_of(instructions, "RUN", "torch==")
    assert instructions[torch][1] == f"pip install --index-url {CPU_INDEX} torch==2.13.0"
    project = _index_of(instructions, "RUN", "pip install .")
    assert torch < project
    # pip keeps the CPU wheel only while it meets the project's own pin.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "torch==2.13.0" in pyproject["project"]["dependencies"]


def test_dockerfile_serves_as_a_non_root_user_with_a_healthcheck(
    instructions: list[tuple[str, str]],
) -> None:
    users = [i for i, (keyword, _) in enumerate(instructions) if keyword == "USER"]
    assert users, "the Dockerfile never leaves root"
    assert instructions[users[-1]][1] not in {"root", "0", "0:0"}
    cmd = _index_of(instructions, "CMD", "serve")
    assert users[-1] < cmd
    assert instructions[cmd][1] == '["crosscheck", "serve", "--host", "0.0.0.0", "--port", "8000"]'
    healthcheck = _index_of(instructions, "HEALTHCHECK", "/health")
    assert "http://127.0.0.1:8000/health" in instructions[healthcheck][1]
