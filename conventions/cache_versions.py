"""The version of what is read from the published pages on every page (the footer's legal
pages), bumped by any change to the page tree: a page saved, deleted, published, unpublished
or moved (a parent's slug or a move changes the URLs below it)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from common.versioned_cache import PAGE_TREE, bump


@receiver([post_save, post_delete])
def _page_saved(sender, instance, **kwargs):
    if isinstance(instance, Page):
        bump([PAGE_TREE])


@receiver([page_published, page_unpublished, post_page_move])
def _page_changed(sender, **kwargs):
    bump([PAGE_TREE])
