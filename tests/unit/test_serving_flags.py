"""Every way this project starts uvicorn trusts no one's X-Forwarded-For (the app reads it from
TRUSTED_PROXIES alone) and refuses WebSocket messages over 64 KiB from their header (issue 11)."""

import re

from tests.support import ROOT

FLAGS = ("--ws-max-size 65536", "--no-proxy-headers")


def commands(text: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line for line in joined.splitlines() if "uvicorn app.main:create_app" in line]


def test_the_dockerfile_make_run_and_the_readme_serve_with_the_flags():
    for name in ("Dockerfile", "Makefile", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "forwarded-allow-ips" not in text and "--proxy-headers " not in text, name
        found = commands(text)
        assert found, name
        for command in found:
            assert all(flag in command for flag in FLAGS), (name, command)


def test_the_tests_servers_run_with_the_flags():
    support = (ROOT / "tests" / "support.py").read_text(encoding="utf-8")
    assert '"--ws-max-size", "65536", "--no-proxy-headers"' in support


def test_the_readme_documents_trusted_proxies():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`TRUSTED_PROXIES`" in readme and "right-most" in readme
