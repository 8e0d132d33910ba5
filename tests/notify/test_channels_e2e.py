"""Each channel kind end to end: e-mail, json://, form://, ntfy and MQTT to real local servers."""

from __future__ import annotations

import os
import queue
import socket
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest

from aggregator.config.model import Config
from aggregator.notify import build_channels, message_id_for, render_alert
from aggregator.notify.channels import Channel
from tests.notify.test_delivery import listing
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import SmtpSink, body_text

NOW = datetime(2026, 1, 2, tzinfo=UTC)
MQTT_HOST, MQTT_PORT = "127.0.0.1", int(os.environ.get("AGGREGATOR_TEST_MQTT_PORT", "1883"))


def channel(url: str) -> Channel:
    config = Config.model_validate({"channels": {"me": url}})
    return build_channels(config.channels)["me"]


def alert_for(target: Channel) -> object:
    return render_alert(listing(), rule="r", why="has data", now=NOW, html=target.is_email)


def recording(server: LocalServer, path: str) -> list[Seen]:
    seen: list[Seen] = []

    def answer(request: Seen) -> Reply:
        seen.append(request)
        return Reply(status=200, body=b'{"id": "1"}', headers={"Content-Type": "application/json"})

    server.route(path, answer)
    return seen


def test_e_mail_arrives_as_html_and_plain_text_with_a_keyed_message_id(smtp: SmtpSink) -> None:
    target = channel(smtp.apprise_url())

    outcome = target.send(alert_for(target), key="7:data:me")  # type: ignore[arg-type]

    assert outcome.ok, outcome.error
    (message,) = smtp.messages
    assert message["Message-ID"] == message_id_for("7:data:me")
    assert message["Subject"] == "Data *intern* at Acme"
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert '<a href="http://x.test/1">' in html.get_content()
    assert "Seen on jobs" in body_text(message)


def test_a_form_webhook_gets_the_title_and_body_as_form_fields(server: LocalServer) -> None:
    seen = recording(server, "/form")
    target = channel(f"form://127.0.0.1:{server.port}/form")

    assert target.send(alert_for(target), key="k1").ok  # type: ignore[arg-type]

    (request,) = seen
    fields = parse_qs(request.body.decode())
    assert fields["title"] == ["Data *intern* at Acme"]
    assert "Seen on jobs" in fields["message"][0]
    assert request.headers["idempotency-key"] == "k1"


def test_ntfy_posts_the_alert_to_the_topic_on_a_self_hosted_server(server: LocalServer) -> None:
    seen = recording(server, "/")
    target = channel(f"ntfy://127.0.0.1:{server.port}/jobs")

    outcome = target.send(alert_for(target))  # type: ignore[arg-type]

    assert outcome.ok, outcome.error
    (request,) = seen
    assert request.method == "POST"
    assert b"jobs" in request.body
    assert b"Data *intern* at Acme" in request.body


def _mqtt_running() -> bool:
    try:
        socket.create_connection((MQTT_HOST, MQTT_PORT), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _mqtt_running(), reason=f"no MQTT broker on {MQTT_HOST}:{MQTT_PORT}")
def test_mqtt_publishes_the_alert_to_the_topic() -> None:
    mqtt = pytest.importorskip("paho.mqtt.client")
    topic = f"aggregator-test/{uuid.uuid4().hex}"
    received: queue.Queue[bytes] = queue.Queue()
    subscribed: queue.Queue[bool] = queue.Queue()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, message: received.put(message.payload)
    client.on_subscribe = lambda *_args: subscribed.put(True)
    client.connect(MQTT_HOST, MQTT_PORT)
    client.subscribe(topic, qos=1)
    client.loop_start()
    try:
        subscribed.get(timeout=10)
        target = channel(f"mqtt://{MQTT_HOST}:{MQTT_PORT}/{topic}")

        outcome = target.send(alert_for(target))  # type: ignore[arg-type]

        assert outcome.ok, outcome.error
        payload = received.get(timeout=10).decode()
        assert "Data" in payload
        assert "Seen on jobs" in payload
    finally:
        client.loop_stop()
        client.disconnect()
