"""`aggregate sources test --file` on every real payload listed in ../shared/payloads/SOURCES.md:
postings, or one clear line naming the source and adapter; never a traceback."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from aggregator.cli.app import app
from tests.support.shared import PAYLOADS

# The adapter (with placeholder options where the adapter requires some) for each folder.
ADAPTERS: dict[str, list[str]] = {
    "adzuna": ["-a", "adzuna", "-o", "app_id=x", "-o", "app_key=y", "-o", "country=gb"],
    "arbeitnow": ["-a", "arbeitnow"],
    "bluesky": [
        "-a",
        "bluesky_search",
        "-o",
        "handle=me.bsky.social",
        "-o",
        "app_password=x",
        "-o",
        "query=#microinternship",
    ],
    "greenhouse": ["-a", "greenhouse", "-o", "board=acme"],
    "hackernews": ["-a", "hn_whoishiring"],
    "jobicy": ["-a", "jobicy"],
    "lever": ["-a", "lever", "-o", "site=acme"],
    "mastodon": ["-a", "mastodon_tag", "-o", "instance=mastodon.example", "-o", "tag=jobs"],
    "reddit": ["-a", "reddit", "-o", "subreddit=forhire"],
    "remoteok": ["-a", "remoteok"],
    "remotive": ["-a", "remotive"],
    "simplify": ["-a", "simplify"],
}
# Folders whose payloads are no response body: the alert e-mail is a JSON wrapper of a text
# body, which tests/adapters/mail/test_linkedin.py builds into a real message and parses.
WRAPPED = {"alert-emails"}
# Payloads that are not a list of postings (error bodies, single items, instance metadata, a
# "Who wants to be hired?" comment, which is a person, not a job): these must give a clear
# one-line error or no posting, never a traceback.
NOT_LISTINGS = re.compile(
    r"error_|posting_single|firebase_|api_v2_instance|legal_only|Angular|_README_"
)


def listed_payloads() -> list[str]:
    if not (PAYLOADS / "SOURCES.md").exists():
        return []
    names = re.findall(r"^\| `([^`]+)` \|", (PAYLOADS / "SOURCES.md").read_text(), re.MULTILINE)
    return [name for name in names if not name.endswith(".headers.json")]


@pytest.mark.skipif(not listed_payloads(), reason="../shared/payloads is not present")
@pytest.mark.parametrize("payload", listed_payloads())
def test_sources_test_handles_every_real_payload(payload: str) -> None:
    folder = payload.split("/")[0]
    if folder in WRAPPED:
        pytest.skip(f"{folder}/ payloads are wrapped, not response bodies (tested elsewhere)")
    if folder not in ADAPTERS:
        # The reference set grows ahead of the adapters (SimplifyJobs lists, alert e-mails).
        pytest.skip(f"no adapter reads {folder}/ payloads yet")
    args = ["sources", "test", *ADAPTERS[folder], "--file", str(PAYLOADS / payload), "--json"]
    result = CliRunner().invoke(app, args)
    assert (
        not isinstance(result.exception, Exception | None)
        or result.exception is None
        or (isinstance(result.exception, SystemExit))
    ), result.exception
    if result.exit_code == 0:
        postings = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        assert all(p["title"] and p["source"] == "test" for p in postings)
        if not NOT_LISTINGS.search(payload):
            assert postings, f"{payload}: no posting"
    else:
        assert NOT_LISTINGS.search(payload), f"{payload}: {result.stderr}"
        assert result.exit_code == 1
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("source test (adapter ")
