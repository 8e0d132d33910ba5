"""Channel, digest and timezone config: chat service URLs, delivery options, and their errors."""

from __future__ import annotations

from datetime import time

import pytest

from aggregator.cli.startup import CONFIG_CHECKS
from aggregator.config.model import parse_config
from aggregator.config.schedules import Digest, QuietHours
from aggregator.errors import ConfigError


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, checks=CONFIG_CHECKS, env={})
    return caught.value.problems


@pytest.mark.parametrize(
    "url",
    [
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#jobs",
        "workflows://prod-01.westus.logic.azure.com:443/a1b2c3d4e5/SigNatureValue123",
        "discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
        "tgram://123456789:abcdefg_hijklmnop/12315544/",
        "ntfy://127.0.0.1:8080/jobs",
        "mqtt://127.0.0.1:1883/jobs",
        "json://hooks.example.org/alerts",
        "form://hooks.example.org/alerts",
    ],
)
def test_chat_and_webhook_urls_are_accepted(url: str) -> None:
    config = parse_config(f"channels:\n  me: '{url}'\n", checks=CONFIG_CHECKS, env={})

    assert config.channels["me"].urls == [url]


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("slack://T1JJ3T3L2SECRETVALUE", "T1JJ3T3L2SECRETVALUE"),
        ("msteams://abcdefg@a-b-c-d/hijklmnSECRET/opqrstu/", "hijklmnSECRET"),
        ("discord://WebhookIdOnlySecret", "WebhookIdOnlySecret"),
        ("tgram://notatokenSECRETVALUE", "notatokenSECRETVALUE"),
    ],
)
def test_bad_chat_urls_are_config_errors_naming_the_channel_without_the_secret(
    url: str, secret: str
) -> None:
    (problem,) = problems(f"channels:\n  chat:\n    urls: ['{url}']\n")

    assert problem.startswith("channels.chat.urls[0]: apprise cannot use")
    assert secret not in problem


def test_the_mapping_form_of_a_channel_takes_every_delivery_option() -> None:
    config = parse_config(
        """
channels:
  me:
    urls: console://
    quiet_hours: "22:00-07:00"
    max_per_hour: 5
    templates: {title: "{{ title }}!", body: "{{ why }}"}
  plain: [console://, console://]
""",
        checks=CONFIG_CHECKS,
        env={},
    )

    me = config.channels["me"]
    assert me.quiet_hours == QuietHours(time(22), time(7))
    assert (me.max_per_hour, me.templates.title) == (5, "{{ title }}!")
    assert config.channels["plain"].urls == ["console://", "console://"]


@pytest.mark.parametrize(
    ("digest", "expected"),
    [
        ("hourly", Digest("hourly")),
        ("daily@08:00", Digest("daily", time(8))),
        ("weekly@mon 08:30", Digest("weekly", time(8, 30), 0)),
        ("instant", None),
    ],
)
def test_rule_digests_are_parsed(digest: str, expected: Digest | None) -> None:
    text = f"channels: {{me: console://}}\nrules:\n  - {{name: r, query: x, digest: '{digest}'}}\n"

    assert parse_config(text, env={}).rules[0].digest == expected


def test_bad_delivery_options_are_reported_together_with_their_paths() -> None:
    found = problems(
        """
timezone: Mars/Olympus
channels:
  me: {urls: console://, quiet_hours: "late", max_per_hour: 0, templates: {body: "{% if %}"}}
rules:
  - {name: r, query: x, notify: [me], digest: "daily@25:00"}
"""
    )

    joined = "\n".join(found)
    assert "timezone: unknown time zone 'Mars/Olympus'" in joined
    assert "channels.me.quiet_hours: expected HH:MM-HH:MM" in joined
    assert "channels.me.max_per_hour: expected a number from 1 to 100000" in joined
    assert "channels.me.templates.body: template error on line 1" in joined
    assert "rules[0].digest: expected instant, hourly, daily@HH:MM" in joined


def test_an_e_mail_channel_without_from_is_one_line_naming_the_channel_and_from() -> None:
    url = "mailto://bob:hunter2@127.0.0.1:2525?to=me@example.com"
    (problem,) = problems(f"channels:\n  mail: '{url}'\nrules:\n  - {{name: r, query: q}}\n")
    assert problem.startswith("channels.mail: mailto://*** needs from=ADDRESS")
    assert "\n" not in problem
    assert "hunter2" not in problem
