#!/usr/bin/env bash
# Time and peak memory of importing the whole shared corpus into a fresh SQLite archive.
# Usage: bash bench/import_corpus.sh [../shared/corpus/news.jsonl.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/news.jsonl.gz}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export ARCHIVE_DATA_DIR=$data
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_gazetteer  # the importer links localities against it
/usr/bin/time -f "wall %e s, peak RSS %M KiB" .venv/bin/python manage.py import_articles -v0 "$corpus" || true
.venv/bin/python manage.py shell -c "from archive.models import Article; print(Article.objects.count(), 'articles stored')"
