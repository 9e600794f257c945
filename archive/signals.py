"""Signals for changes Django's model signals do not report."""

from django.dispatch import Signal

# Sent with `article_ids` when articles or their links changed in bulk (bulk_create, bulk link
# updates), inside the transaction that changed them.
articles_changed = Signal()
