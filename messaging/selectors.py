"""Reads on case messages: a case's thread, and which cases have unread messages."""

from django.db.models import Exists, OuterRef, Q

from .models import Message, MessageRead


def case_messages(case):
    return (Message.objects.filter(case=case).select_related("author")
            .prefetch_related("attachments"))


def last_read(case, user):
    read = MessageRead.objects.filter(case=case, user=user).values_list("read_at", flat=True)
    return read.first()


def with_unread(queryset, user):
    """Annotate cases with `has_unread`: a message of someone else after the user's reading."""
    read = MessageRead.objects.filter(case=OuterRef("case"), user=user)
    unread = (Message.objects.filter(case=OuterRef("pk")).exclude(author=user)
              .filter(~Exists(read) | Q(created_at__gt=read.values("read_at")[:1])))
    return queryset.annotate(has_unread=Exists(unread))
