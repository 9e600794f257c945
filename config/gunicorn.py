"""gunicorn's settings for `make serve`: the app is loaded once, in the master, and the search
engine reads what searches use there (search.query.warm) before the workers are forked. They
share those arrays (copy on write) instead of each building them on its first searches, and each
opens the index and the database itself."""

preload_app = True


def when_ready(server):
    """In the master, once the app is loaded and before the first worker is forked."""
    from search.query import warm

    warm()
