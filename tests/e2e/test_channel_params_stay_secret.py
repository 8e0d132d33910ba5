"""Secrets a channel URL holds in its query (a webhook's GET arguments `-name=`, payload fields
`:name=`, `?token=`, `?password=`) never reach any output: `notify test`, `--debug` (apprise's
and urllib3's own records), run logs and error lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator import redact
from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply, Seen

GET_ARG = "canary-get-8a61f0"  # `-apikey=`: apprise sends it as ?apikey= to the webhook
PLAIN_GET_ARG = "canary-plain-2b7d44"  # `-code=`: no secret-looking name, still the channel's
PAYLOAD_FIELD = "canary-field-5c09e3"  # `:secret=`: a field apprise adds to the JSON body
QUERY_TOKEN = "canary-qtok-91ad2f"  # `?token=` on a form:// URL
CANARIES = (GET_ARG, PLAIN_GET_ARG, PAYLOAD_FIELD, QUERY_TOKEN)


@pytest.fixture
def config(tmp_path: Path, server: LocalServer) -> tuple[Path, list[Seen]]:
    hooks: list[Seen] = []

    def hook(seen: Seen) -> Reply:
        hooks.append(seen)
        return Reply(body=b"ok")

    server.route("/hook", hook)
    base = f"127.0.0.1:{server.port}/hook"
    path = tmp_path / "config.yaml"
    path.write_text(
        "database: sqlite:///data.db\n"
        "channels:\n"
        f'  hook: "json://{base}?-apikey={GET_ARG}&-code={PLAIN_GET_ARG}&:secret={PAYLOAD_FIELD}"\n'
        f'  form: "form://{base}?token={QUERY_TOKEN}"\n'
        f'  dead: "json://127.0.0.1:1/hook?-apikey={GET_ARG}"\n'
    )
    return path, hooks


def assert_no_canary(where: str, text: str) -> None:
    for line in text.splitlines():
        leaked = [canary for canary in CANARIES if canary in line]
        assert not leaked, f"{where} leaks {leaked}: {line}"


@pytest.mark.parametrize("channel", ["hook", "form", "dead"])
@pytest.mark.parametrize("debug", [False, True])
def test_notify_test_shows_no_secret_from_a_channel_query(
    config: tuple[Path, list[Seen]], channel: str, debug: bool
) -> None:
    path, hooks = config
    args = [*(["--debug"] if debug else []), "notify", "test", channel, "--config", str(path)]
    result = run_cli(*args, cwd=path.parent)
    assert f"{channel} [1] " in result.stdout, result.stderr
    assert_no_canary("stdout", result.stdout)
    assert_no_canary("stderr", result.stderr)
    if debug:
        assert "DEBUG" in result.stderr  # apprise's and urllib3's records were shown, scrubbed
    if channel == "hook":  # the receiver still gets every value
        (seen,) = hooks
        assert f"apikey={GET_ARG}" in seen.path
        assert f"code={PLAIN_GET_ARG}" in seen.path
        assert PAYLOAD_FIELD in seen.body.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'http://h:80 "POST /hook?apikey=zz9911zz HTTP/1.1" 200',
            'http://h:80 "POST /hook?apikey=*** HTTP/1.1" 200',
        ),
        # A webhook's GET arguments are all its own: each is masked.
        ("json://h/hook?-apikey=zz9911zz&-page=2", "json://h/hook?-apikey=***&-page=***"),
        ("json://h/?%3Asecret=zz9911zz&:title=Hi", "json://h/?%3Asecret=***&:title=Hi"),
        ("ntfy://h/topic?token=tk_zz9911&priority=high", "ntfy://h/topic?token=***&priority=high"),
        ("signal://h/+1555/?password=zz9911zz", "signal://h/+1555/?password=***"),
        (
            "postgresql://u@db/x?password=zz9911zz&sslmode=require",
            "postgresql://u@db/x?password=***&sslmode=require",
        ),
    ],
)
@pytest.mark.usefixtures("fresh_secrets")
def test_secret_looking_query_values_are_masked_in_any_text(text: str, expected: str) -> None:
    assert redact.scrub(text) == expected


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        (f"json://h/hook?-code={PLAIN_GET_ARG}", PLAIN_GET_ARG),
        (f"xml://h/hook?-apikey={GET_ARG}", GET_ARG),
        (f"json://h/hook?:secret={PAYLOAD_FIELD}", PAYLOAD_FIELD),
        (f"form://h/?token={QUERY_TOKEN}", QUERY_TOKEN),
        (f"signal://h:8080/+12345678901/?password={QUERY_TOKEN}", QUERY_TOKEN),
    ],
)
def test_a_channel_query_secret_is_remembered_for_every_later_line(url: str, secret: str) -> None:
    assert secret in redact.channel_secrets(url)


@pytest.mark.usefixtures("fresh_secrets")
def test_a_mailto_password_given_as_a_query_parameter_is_masked() -> None:
    text = "mailto://smtp.example.com?user=alice&pass=zz9911zz&to=x@example.com"
    assert redact.scrub(text) == "mailto://smtp.example.com?user=alice&pass=***&to=x@example.com"
