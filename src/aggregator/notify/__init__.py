"""Alert delivery: channels on apprise, message rendering, and the outbox deliverer."""

from aggregator.notify.channels import Channel, build_channels, check_channel_url, redact_url
from aggregator.notify.deliver import RETRY_SCHEDULE, deliver_pending
from aggregator.notify.render import Alert, render_alert

__all__ = [
    "RETRY_SCHEDULE",
    "Alert",
    "Channel",
    "build_channels",
    "check_channel_url",
    "deliver_pending",
    "redact_url",
    "render_alert",
]
