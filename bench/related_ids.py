"""Each published article's related ones (search.query.related, the article page's "Bài liên quan")
found afresh (nothing read from the `related` folder) for every --every-th article, written to a
file, and two such files compared: a change to how they are found that must keep them as they were.

    .venv/bin/python bench/related_ids.py --data-dir DIR --every 4 --out before.json
    (change the code)
    .venv/bin/python bench/related_ids.py --data-dir DIR --every 4 --out after.json --compare before.json
"""

import json
import time
from pathlib import Path

import common


def main():
    def extend(parser):
        parser.add_argument("--every", type=int, default=4, help="every n-th published article, by id")
        parser.add_argument("--out", required=True, help="the related ids, as JSON")
        parser.add_argument("--compare", help="related ids written before, to compare with")

    args = common.arguments(__doc__, extend)
    if not args.data_dir:
        raise SystemExit("--data-dir is required (an archive with its index)")
    common.setup_django(Path(args.data_dir).resolve())
    from django.conf import settings
    from django.test.utils import override_settings

    from archive.models import Article
    from search import query

    articles = list(Article.objects.filter(status="published").order_by("pk"))[:: args.every]
    started = time.process_time()
    nothing_kept = {**settings.CACHES, "related": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=nothing_kept):
        found = {str(article.pk): [other.pk for other in query.related(article)] for article in articles}
    seconds = time.process_time() - started
    Path(args.out).write_text(json.dumps(found))
    each = seconds / len(found) * 1000
    print(f"{len(found):,} articles' related ids written to {args.out} ({each:.1f} ms of CPU each)")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        if before.keys() != found.keys():
            raise SystemExit(f"{args.compare} holds other articles: compare runs with the same --every")
        differ = [pk for pk in found if found[pk] != before[pk]]
        print(f"{len(found) - len(differ):,} of {len(found):,} identical to {args.compare}")
        for pk in differ[:20]:
            print(f"differs: article {pk}: {before[pk]} -> {found[pk]}")


if __name__ == "__main__":
    main()
