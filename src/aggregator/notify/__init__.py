"""Alert delivery: channels on apprise, message rendering, and the outbox deliverer."""

from aggregator.notify.channels import (
    Channel,
    SendOutcome,
    build_channels,
    check_channel_url,
    message_id_for,
    redact_url,
)
from aggregator.notify.deliver import ADMIN_CHANNEL, RETRY_SCHEDULE, deliver_pending
from aggregator.notify.render import Alert, render_alert, render_digest, render_notice

__all__ = [
    "ADMIN_CHANNEL",
    "RETRY_SCHEDULE",
    "Alert",
    "Channel",
    "SendOutcome",
    "build_channels",
    "check_channel_url",
    "deliver_pending",
    "message_id_for",
    "redact_url",
    "render_alert",
    "render_digest",
    "render_notice",
]
