"""The search API's answers to a fixed set of queries on an archive, written to a file, and two
such files compared: a change to the index (its format, its writer, a rebuild) that must keep
every result, count, facet, snippet and suggestion as they were. The queries: the everyday ones
(and the second page of ten), 60 known-item phrases as typed and without diacritics, old tone
marks or decomposed, and a few with quotes, fields and misspellings. With --pages, the search
page's HTML too, in Vietnamese and English, for these queries and bench/search_speed.py's: a
change to the page's own work (snippets, facets, the template) that must show the same bytes.

    .venv/bin/python bench/api_answers.py --data-dir DIR --out before.json [--pages]
    (change the code or rebuild the index)
    .venv/bin/python bench/api_answers.py --data-dir DIR --out after.json [--pages] --compare before.json
"""

import json
from pathlib import Path

import common

OTHERS = [
    "phat trien kinh te xa hoi dia phuong",
    "xây dụng đảng bộ trong sạch vữn mạnh",
    "author:Minh",
    'title:"Hà Nội"',
    '"hòa bình"',
]


def queries():
    from archive.models import Article

    articles = list(Article.objects.filter(status="published").order_by("pk").values_list("pk", "title", "body"))
    found = [dict(q) for q in common.EVERYDAY]
    found += [{**q, "page": "2"} for q in common.EVERYDAY[:10]]
    for _pk, phrase in common.known_items(articles[:20000], 60, 2017):
        kinds = common.variants(phrase)
        found += [{"q": kinds[k]} for k in ("as typed", "no diacritics", "old tone marks", "decomposed")]
    return found + [{"q": q} for q in OTHERS]


def speed_queries():
    """bench/search_speed.py's known items (its default seed, 40 phrases, as typed and without diacritics)."""
    from archive.models import Article

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body"))
    return [
        {"q": text}
        for _pk, phrase in common.known_items(articles, 40, 2017)
        for text in (phrase, common.variants(phrase)["no diacritics"])
    ]


def comparable(answers):
    """The answers without the signed timestamp of each next page's cursor (it differs run to run)."""
    for answer in answers:
        if isinstance(answer["body"], dict) and answer["body"].get("next"):
            answer["body"]["next"] = answer["body"]["next"].split("%3A")[0]
    return answers


def main():
    def extend(parser):
        parser.add_argument("--out", required=True, help="the answers, as JSON")
        parser.add_argument("--compare", help="answers written before, to compare with")
        parser.add_argument("--pages", action="store_true", help="the search page's HTML too, in both languages")

    args = common.arguments(__doc__, extend)
    if not args.data_dir:
        raise SystemExit("--data-dir is required (an archive with its index)")
    common.setup_django(Path(args.data_dir).resolve())
    from django.conf import settings
    from django.test import Client

    client = Client()
    answers = []
    for params in queries():
        response = client.get("/api/search/", params, HTTP_HOST="localhost")
        body = response.json() if response.status_code < 500 else response.content.decode()[:500]
        answers.append({"params": params, "status": response.status_code, "body": body})
    if args.pages:
        pages = queries() + speed_queries()
        for language in ("vi", "en"):
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for params in pages:
                response = client.get("/search/", params, HTTP_HOST="localhost")
                page = {"params": {**params, "language": language}, "status": response.status_code}
                answers.append({**page, "body": response.content.decode()})
    Path(args.out).write_text(json.dumps(answers, ensure_ascii=False, indent=1))
    results = sum(len(a["body"].get("results", [])) for a in answers if isinstance(a["body"], dict))
    print(f"{len(answers)} queries, {results:,} results written to {args.out}")
    if args.compare:
        before = comparable(json.loads(Path(args.compare).read_text()))
        differ = [a["params"] for a, b in zip(comparable(answers), before, strict=True) if a != b]
        print(f"{len(answers) - len(differ)} of {len(answers)} answers identical to {args.compare}")
        for params in differ:
            print(f"differs: {params}")


if __name__ == "__main__":
    main()
