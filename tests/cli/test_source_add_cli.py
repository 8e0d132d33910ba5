"""`aggregate sources add|import` through the real command line (in-process `invoke`), with
careers pages, feeds and OPML lists served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aggregator.cli.startup import load_checked_config
from tests.cli.conftest import Invoke
from tests.support.http_server import LocalServer, Reply

CONFIG = """\
# Boards I follow (keep this comment)
database: "sqlite:///jobs.db"

sources:
  - name: campus   # the campus feed
    adapter: rss
    url: ${CAMPUS_FEED:-https://campus.example/feed.xml}
  - name: acme
    adapter: lever
    options: {site: acme-old}

rules:
  - name: interns
    query: 'intern*'
"""
OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><body>
  <outline text="Job feeds">
    <outline text="Campus Gigs" xmlUrl="https://campus.example/feed.xml"/>
    <outline text="Remote Micro" xmlUrl="https://micro.example/rss"/>
    <outline text="Nested"><outline title="Deep Feed" xmlUrl="https://deep.example/atom"/></outline>
  </outline>
  <outline text="No feed here"/>
</body></opml>
"""
HTML = "text/html; charset=utf-8"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    return path


def _html(server: LocalServer, path: str, body: str) -> str:
    page = f"<!doctype html><html><head><title>Careers</title></head><body>{body}</body></html>"
    return server.route(path, Reply(body=page.encode(), headers={"Content-Type": HTML}))


def test_a_board_url_prints_its_block_without_any_request(invoke: Invoke) -> None:
    result = invoke("sources", "add", "boards.greenhouse.io/vaulttec/jobs/4012345?gh_src=x")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == [
        {"name": "vaulttec", "adapter": "greenhouse", "options": {"board": "vaulttec"}}
    ]


def test_name_overrides_the_board_token(invoke: Invoke) -> None:
    result = invoke("sources", "add", "https://jobs.eu.lever.co/acme-eu", "--name", "acme-europe")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == [
        {"name": "acme-europe", "adapter": "lever", "options": {"site": "acme-eu", "region": "eu"}}
    ]


def test_write_appends_the_block_keeping_every_byte_and_the_config_loads(
    invoke: Invoke, config: Path
) -> None:
    result = invoke(
        "sources", "add", "https://jobs.ashbyhq.com/vaulttec", "-c", str(config), "--write"
    )
    assert result.returncode == 0, result.stderr
    block = "  - name: vaulttec\n    adapter: ashby\n    options:\n      board: vaulttec\n"
    text = config.read_text()
    assert text.replace(block, "", 1) == CONFIG
    assert f"added 1 source(s) to {config}: vaulttec" in result.stderr
    loaded = load_checked_config(config)
    assert [s.name for s in loaded.sources] == ["campus", "acme", "vaulttec"]
    assert (loaded.sources[2].adapter, loaded.sources[2].options["board"]) == ("ashby", "vaulttec")
    check = invoke("config", "validate", str(config))
    assert check.returncode == 0, check.stderr


def test_the_config_comes_from_aggregator_config_too(
    invoke: Invoke, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    result = invoke("sources", "add", "apply.workable.com/vaulttec/", "--write")
    assert result.returncode == 0, result.stderr
    assert "board: vaulttec" in config.read_text()


def test_a_default_name_already_taken_gets_a_suffix(invoke: Invoke, config: Path) -> None:
    result = invoke("sources", "add", "acme.recruitee.com", "-c", str(config), "--write")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)[0]["name"] == "acme-2"
    assert [s.name for s in load_checked_config(config).sources][-1] == "acme-2"


def test_a_name_given_that_is_taken_is_refused(invoke: Invoke, config: Path) -> None:
    result = invoke(
        "sources", "add", "acme.recruitee.com", "-c", str(config), "-n", "campus", "--write"
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: a source named 'campus' is already configured; choose another --name\n"
    )
    assert config.read_text() == CONFIG


def test_a_board_already_configured_is_refused_naming_its_source(
    invoke: Invoke, config: Path
) -> None:
    result = invoke(
        "sources", "add", "https://jobs.lever.co/ACME-OLD/1234", "-c", str(config), "--write"
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: lever https://jobs.lever.co/ACME-OLD is already configured as source 'acme'\n"
    )
    assert config.read_text() == CONFIG
    printed = invoke("sources", "add", "https://jobs.lever.co/acme-old", "-c", str(config))
    assert printed.returncode == 0
    assert "already configured as source 'acme'" in printed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("ftp://boards.greenhouse.io/x",),
            "error: not an http(s) URL: 'ftp://boards.greenhouse.io/x'",
        ),
        (("https://apply.workable.com/j/AB12",), "error: a Workable job link names no account"),
        (("jobs.lever.co/acme", "--write"), "error: --write needs --config (or AGGREGATOR_CONFIG)"),
        (("jobs.lever.co/acme", "-c", "missing.yaml"), "error: cannot read missing.yaml: No such"),
        (("./feeds.opml",), "error: no such file: ./feeds.opml"),
        (("jobs.lever.co/acme", "-n", "Acme Jobs"), "error: --name 'Acme Jobs': lower-case"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    invoke: Invoke, args: tuple[str, ...], message: str
) -> None:
    result = invoke("sources", "add", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_block_for_an_adapter_not_installed_is_printed_but_not_written(
    invoke: Invoke, config: Path
) -> None:
    from aggregator.adapters.catalogue import known_adapter_names

    if "teamtailor" in known_adapter_names():
        pytest.skip("the teamtailor adapter is installed: its block checks")
    result = invoke("sources", "add", "acme.teamtailor.com", "-c", str(config), "--write")
    assert result.returncode == 2
    assert "unknown adapter 'teamtailor'" in result.stderr
    assert "(not written)" in result.stderr
    assert config.read_text() == CONFIG


def test_a_careers_page_with_the_greenhouse_embed_gives_its_board(
    invoke: Invoke, server: LocalServer, config: Path
) -> None:
    url = _html(
        server,
        "/careers",
        '<div id="grnhse_app"></div><script src="https://boards.greenhouse.io/embed/job_board/js'
        '?for=vaulttec"></script>',
    )
    result = invoke("sources", "add", url, "-c", str(config), "--write")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)[0]["options"] == {"board": "vaulttec"}
    assert [seen.path for seen in server.seen] == ["/careers"]  # fetched once
    assert load_checked_config(config).sources[-1].options["board"] == "vaulttec"


def test_a_page_with_several_boards_lists_them_and_uses_the_first(
    invoke: Invoke, server: LocalServer
) -> None:
    url = _html(
        server,
        "/jobs",
        '<iframe src="https://jobs.lever.co/vaulttec?embed=1"></iframe>'
        '<a href="https://jobs.ashbyhq.com/vaulttec-labs">Labs jobs</a>',
    )
    result = invoke("sources", "add", url)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == [
        {"name": "vaulttec", "adapter": "lever", "options": {"site": "vaulttec"}}
    ]
    assert "found 2 sources:" in result.stderr
    assert "  1. lever https://jobs.lever.co/vaulttec (iframe " in result.stderr
    assert "  2. ashby https://jobs.ashbyhq.com/vaulttec-labs (link " in result.stderr
    assert "note: using the first" in result.stderr


def test_gh_jid_links_give_a_guess_that_is_printed_but_never_written(
    invoke: Invoke, server: LocalServer, config: Path
) -> None:
    url = _html(server, "/open", '<a href="/open?gh_jid=4012345">Data intern</a>')
    printed = invoke("sources", "add", url)
    assert printed.returncode == 0, printed.stderr
    assert "is a guess from the domain" in printed.stderr
    written = invoke("sources", "add", url, "-c", str(config), "--write")
    assert written.returncode == 2
    assert "then add boards.greenhouse.io/<board>" in written.stderr
    assert config.read_text() == CONFIG


def test_a_page_without_a_board_suggests_the_html_adapter(
    invoke: Invoke, server: LocalServer
) -> None:
    url = _html(server, "/about", "<h1>Join us</h1><p>Mail jobs@vaulttec.example</p>")
    result = invoke("sources", "add", url)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: no job board, feed or ATS embed found on {url}")
    assert "html adapter" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_page_that_fails_is_one_line_and_exit_1(invoke: Invoke, server: LocalServer) -> None:
    result = invoke("sources", "add", server.url("/gone"))
    assert result.returncode == 1
    assert "404" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_redirect_is_followed_to_the_page_that_names_the_board(
    invoke: Invoke, server: LocalServer
) -> None:
    url = server.route("/careers", Reply(status=302, headers={"Location": "/board"}))
    _html(server, "/board", '<a href="https://jobs.lever.co/moved">Jobs</a>')
    result = invoke("sources", "add", url)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)[0]["options"] == {"site": "moved"}


def test_a_feed_url_becomes_an_rss_source(invoke: Invoke, server: LocalServer) -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Gigs</title></channel></rss>'
    url = server.route(
        "/feed.xml", Reply(body=feed, headers={"Content-Type": "application/rss+xml"})
    )
    result = invoke("sources", "add", url)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == [{"name": "127-0-0-1", "adapter": "rss", "url": url}]


def test_a_json_feed_url_becomes_a_json_api_source_that_checks(
    invoke: Invoke, server: LocalServer, config: Path
) -> None:
    feed = b'{"version": "https://jsonfeed.org/version/1.1", "title": "Jobs", "items": []}'
    url = server.route(
        "/jobs.json", Reply(body=feed, headers={"Content-Type": "application/feed+json"})
    )
    result = invoke("sources", "add", url, "-c", str(config), "--write", "-n", "jobfeed")
    assert result.returncode == 0, result.stderr
    source = load_checked_config(config).sources[-1]
    assert (source.name, source.adapter, source.url) == ("jobfeed", "json_api", url)
    assert source.options["records"] == "items"


def test_import_adds_every_feed_of_an_opml_file_skipping_configured_ones(
    invoke: Invoke, config: Path, tmp_path: Path
) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML)
    result = invoke("sources", "import", str(opml), "-c", str(config), "--write")
    assert result.returncode == 0, result.stderr
    assert "rss https://campus.example/feed.xml is already configured as source 'campus'" in (
        result.stderr
    )
    assert "1 outline(s) without an xmlUrl skipped" in result.stderr
    names = [(s.name, s.url) for s in load_checked_config(config).sources]
    assert names[2:] == [
        ("remote-micro", "https://micro.example/rss"),
        ("deep-feed", "https://deep.example/atom"),
    ]
    again = invoke("sources", "import", str(opml), "-c", str(config), "--write")
    assert again.returncode == 0, again.stderr
    assert "nothing to add" in again.stderr
    assert len(load_checked_config(config).sources) == 4


def test_sources_add_takes_an_opml_file_or_url_as_import_does(
    invoke: Invoke, server: LocalServer, tmp_path: Path
) -> None:
    (tmp_path / "feeds.opml").write_bytes(OPML)
    from_file = invoke("sources", "add", "feeds.opml")
    url = server.route("/feeds.opml", Reply(body=OPML, headers={"Content-Type": "text/x-opml"}))
    from_url = invoke("sources", "import", url)
    assert from_file.returncode == from_url.returncode == 0, from_file.stderr + from_url.stderr
    assert from_file.stdout == from_url.stdout
    assert len(yaml.safe_load(from_file.stdout)) == 3


def test_import_refuses_hostile_xml_and_non_opml_in_one_line(
    invoke: Invoke, tmp_path: Path
) -> None:
    hostile = tmp_path / "evil.opml"
    hostile.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline xmlUrl="https://x.test/&x;"/></body></opml>'
    )
    result = invoke("sources", "import", str(hostile))
    assert result.returncode == 2
    assert "external XML entity 'x'" in result.stderr
    assert result.stderr.count("\n") == 1
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b"<rss><channel/></rss>")
    assert "not an OPML file" in invoke("sources", "import", str(feed)).stderr


def test_help_explains_the_url_forms(invoke: Invoke) -> None:
    result = invoke("sources", "add", "--help")
    assert result.returncode == 0
    for form in (
        "boards.greenhouse.io/BOARD",
        "jobs.eu.lever.co/SITE",
        "TENANT.wdN.myworkdayjobs.com/[LOCALE/]SITE",
        "COMPANY.jobs.personio.de",
        "gh_jid",
    ):
        assert form in result.stdout
    assert "OPML" in invoke("sources", "import", "--help").stdout


def test_the_page_is_fetched_with_the_configs_http_settings_despite_unset_variables(
    invoke: Invoke, server: LocalServer, tmp_path: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "http:\n  user_agent: 'vault-boy/1.0 (+https://vaulttec.example)'\n"
        "sources:\n  - name: private\n    adapter: rss\n    url: ${SOME_UNSET_FEED_URL}\n"
    )
    url = _html(server, "/careers", '<a href="https://jobs.ashbyhq.com/vaulttec">Jobs</a>')
    result = invoke("sources", "add", url, "-c", str(config), "--write")
    assert result.returncode == 0, result.stderr
    (seen,) = server.seen
    assert seen.headers["user-agent"] == "vault-boy/1.0 (+https://vaulttec.example)"
    assert config.read_text().endswith("    options:\n      board: vaulttec\n")


def test_a_broken_http_section_is_reported_as_the_config_check_reports_it(
    invoke: Invoke, server: LocalServer, tmp_path: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("http:\n  user_agent: ${UNSET_AGENT_VARIABLE}\n")
    result = invoke("sources", "add", server.url("/careers"), "-c", str(config))
    assert result.returncode == 2
    assert "environment variable UNSET_AGENT_VARIABLE is not set" in result.stderr
    assert server.seen == []


def test_feeds_with_the_same_title_in_one_import_get_distinct_names(
    invoke: Invoke, tmp_path: Path
) -> None:
    (tmp_path / "same.opml").write_bytes(
        b'<opml><body><outline text="Jobs" xmlUrl="https://a.example/rss"/>'
        b'<outline text="Jobs" xmlUrl="https://b.example/rss"/>'
        b'<outline text="Jobs again" xmlUrl="https://a.example/rss/"/></body></opml>'
    )
    result = invoke("sources", "import", "same.opml")
    assert result.returncode == 0, result.stderr
    assert [item["name"] for item in yaml.safe_load(result.stdout)] == ["jobs", "jobs-2"]
    assert "rss https://a.example/rss/ is already in this list as source 'jobs'; skipped" in (
        result.stderr
    )


def test_name_is_refused_for_an_opml_list(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "feeds.opml").write_bytes(OPML)
    result = invoke("sources", "add", "feeds.opml", "--name", "mine")
    assert result.returncode == 2
    assert result.stderr == "error: --name names one source; an OPML list gives one per feed\n"
