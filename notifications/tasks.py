"""django-q2 tasks of notifications (thin: the rules are in services)."""

from .services import notification_send


def send_notification(notification_id: int) -> bool:
    return notification_send(notification_id)


def send_notifications(notification_ids: list[int]) -> int:
    """The emails of one event (each sent once, even if this task runs again)."""
    return sum(notification_send(pk) for pk in notification_ids)
