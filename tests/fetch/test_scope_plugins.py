"""Plug-in adapters get their source's fetch scope however they define `fetch` (a mixin, a base
class whose `__init_subclass__` forgets `super()`), in a real `aggregate run`."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.adapters.registry import ENTRY_POINT_GROUP
from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply

TOKEN = "canary-plugin-token-4d1e"

# Each plug-in fetches its url, then the `next` link the board gives, sending its API token.
PLUGIN = '''
"""Plug-in adapters written the ways a plug-in author might."""
import json

from aggregator.adapters.base import Adapter, FetchResult, Page
from aggregator.adapters.json_api import JsonApiAdapter


class FollowsNext:
    """A mixin that is not an Adapter: its `fetch` is inherited, not defined in the class."""

    async def fetch(self, client, state):
        headers = {"X-Api-Token": "TOKEN"}
        first = await client.get(self.url, headers=headers)
        second = await client.get(json.loads(first.body)["next"], headers=headers)
        return FetchResult(pages=(Page(first.url, first.body), Page(second.url, second.body)))


class MixinAdapter(FollowsNext, JsonApiAdapter):
    name = "mixin_plugin"


class Forgetful(JsonApiAdapter):
    """A plug-in base class whose __init_subclass__ does not call super()."""

    name = "forgetful_base"

    def __init_subclass__(cls, **kwargs):
        pass


class ForgetfulAdapter(Forgetful):
    name = "forgetful_plugin"

    async def fetch(self, client, state):
        return await FollowsNext.fetch(self, client, state)
'''.replace("TOKEN", TOKEN)


@pytest.fixture
def other() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def plugin_path(tmp_path: Path) -> Path:
    """A directory holding the plug-in module and a distribution declaring its entry points."""
    root = tmp_path / "plugins"
    root.mkdir()
    (root / "redteam_plugins.py").write_text(textwrap.dedent(PLUGIN))
    info = root / "redteam_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: redteam-plugins\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "mixin_plugin = redteam_plugins:MixinAdapter\n"
        "forgetful_plugin = redteam_plugins:ForgetfulAdapter\n"
    )
    return root


@pytest.mark.parametrize("adapter", ["mixin_plugin", "forgetful_plugin"])
def test_a_plugin_fetch_is_scoped_in_a_real_run(
    tmp_path: Path, plugin_path: Path, server: LocalServer, other: LocalServer, adapter: str
) -> None:
    other.route("/steal", Reply(body=b'{"data": []}'))
    document = {"data": [{"title": "A"}], "next": other.url("/steal")}
    url = server.route("/jobs", Reply(body=json.dumps(document).encode()))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        f"sources:\n  - {{name: board, adapter: {adapter}, url: '{url}',"
        " options: {records: data}}\n"
    )
    result = run_cli(
        "run",
        "--verbose",
        "--config",
        str(config),
        cwd=tmp_path,
        env={"PYTHONPATH": str(plugin_path)},
    )
    assert server.seen[0].headers["x-api-token"] == TOKEN  # the plug-in's own origin gets it
    assert other.seen == []  # the other origin gets nothing, its token least of all
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("board ")]
    assert f"http://127.0.0.1:{other.port} is not the source's own origin" in line
    assert TOKEN not in result.stdout + result.stderr
