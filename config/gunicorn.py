"""gunicorn's settings for `make serve`: the app is loaded once, in the master, and the search
engine reads what searches use there (search.query.warm) before the workers are forked. They
share those arrays (copy on write) instead of each building them on its first searches, and each
opens the index and the database itself."""

preload_app = True
# Threads in each worker: a search past the machine's slots (config/limits.py) is then answered
# 503 within SEARCH_WAIT instead of waiting in the listen queue, and a browse page is served while
# its worker's thread waits on a search. A worker's searches take turns on its one searcher.
threads = 4


def when_ready(server):
    """In the master, once the app is loaded and before the first worker is forked. An index that
    cannot be read now is no reason not to serve the browse pages: the workers read it themselves.
    The database connections the warm-up opened close before the fork: each worker opens its own."""
    from django.db import connections

    from search.query import warm

    try:
        warm()
    except Exception:
        server.log.exception("the search was not warmed before forking the workers")
    finally:
        connections.close_all()
