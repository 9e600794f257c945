"""How far long work has got, for the person waiting: done, rate and time left.

Progress(out, total).update(done) as the work goes, then .finish(). On a terminal one line is
rewritten in place a few times a second; otherwise (a log file, a pipe) a plain line is written
at the start, every `every` seconds and at the end. Wording and numbers follow the active
language (Vietnamese unless another is chosen). Used by import_articles, extract_links and
rebuild_index.
"""

import time

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TERMINAL_EVERY = 0.25  # seconds between rewrites of the line on a terminal


def duration(seconds: float) -> str:
    """1:05, 12:30, 1:02:05."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def number(value: int) -> str:
    """10.035 in Vietnamese, 10,035 in English (Django's formats group only with NUMBER_GROUPING)."""
    separator = get_format("THOUSAND_SEPARATOR")
    return numberformat.format(value, "", grouping=3, thousand_sep=separator, force_grouping=True)


class Progress:
    def __init__(self, out, total: int, every: float = 15.0):
        """`out` is a command's stdout or stderr (its isatty() tells a terminal)."""
        self.out, self.total = out, total
        self.terminal = out.isatty()
        self.every = TERMINAL_EVERY if self.terminal else every
        self.started = time.monotonic()
        self.shown_at: float | None = None
        self.done = 0

    def update(self, done: int) -> None:
        finishing, self.done = self.done < self.total <= done, done
        now = time.monotonic()
        if self.shown_at is None or now - self.shown_at >= self.every or finishing:
            self.shown_at = now
            self._show(now - self.started)

    def finish(self) -> None:
        """Ends the line on a terminal, so what follows starts on its own (once, however often called)."""
        if self.terminal and self.shown_at is not None:
            self.out.write("", style_func=str)
            self.shown_at = None

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0
        if self.done >= self.total:
            when = _("xong sau %(time)s") % {"time": duration(elapsed)}
        elif rate:
            when = _("còn khoảng %(time)s") % {"time": duration((self.total - self.done) / rate)}
        else:
            when = _("đang ước tính thời gian còn lại")
        line = ngettext(
            "%(done)s/%(total)s bài (%(percent)d%%), %(rate)s bài/giây, %(when)s",
            "%(done)s/%(total)s bài (%(percent)d%%), %(rate)s bài/giây, %(when)s",
            self.total,
        )
        return line % {
            "done": number(self.done),
            "total": number(self.total),
            "percent": 100 * self.done // max(self.total, 1),
            "rate": number(round(rate)),
            "when": when,
        }

    def _show(self, elapsed: float) -> None:
        if self.terminal:  # back to the line's start, and clear what a longer line left
            self.out.write(f"\r{self.line(elapsed)}\x1b[K", style_func=str, ending="")
        else:
            self.out.write(self.line(elapsed), style_func=str)
        self.out.flush()
