"""django-q2 tasks of notifications (thin: the rules are in services)."""

from .services import notification_send


def send_notification(notification_id: int) -> bool:
    return notification_send(notification_id)
