"""archive.citation: an article's record, the two citation styles, the meta tags, and the three
files to download, each read back with a real parser (rispy, bibtexparser) or validated against
the CSL-JSON schema."""

import datetime
import json
import unicodedata
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from django.utils import timezone

from archive import citation
from archive.models import Article, Source

pytestmark = pytest.mark.django_db

MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"
UNSIGNED = "Đưa Nghị quyết vào cuộc sống bằng nhiều giải pháp thiết thực"  # no author, date or source
ACCESSED = datetime.date(2026, 12, 1)
CSL_SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data/csl-data.json").read_text())


def absolute(path):
    return f"https://luutru.example.vn{path}"


def record_of(article):
    return citation.record(article, absolute, accessed=ACCESSED)


@pytest.fixture
def mo_cay_bac(seed_articles):
    return record_of(seed_articles[MO_CAY_BAC])


@pytest.fixture
def unsigned(seed_articles):
    return record_of(seed_articles[UNSIGNED])


def text(chunks):
    return "".join(chunks)


# --- the record --------------------------------------------------------------------------------
def test_the_record_holds_the_articles_fields_and_its_id_only_permalink(seed_articles, mo_cay_bac):
    pk = seed_articles[MO_CAY_BAC].pk
    assert mo_cay_bac == citation.Record(
        key=f"huongthu2020mocay-{pk}",
        title=MO_CAY_BAC,
        author="Hương Thu",
        date=datetime.date(2020, 11, 13),
        source="Báo Đồng Khởi",
        url=f"https://luutru.example.vn/articles/{pk}/",
        original_url="",
        accessed=ACCESSED,
    )


def test_the_date_is_the_day_in_vietnam_not_in_utc(seed_articles):
    article = seed_articles[TRI_TON]
    assert article.published_at.date() == datetime.date(2021, 7, 22)  # 22:35 UTC
    assert record_of(article).date == datetime.date(2021, 7, 23)  # 05:35 in Vietnam


def test_an_unsigned_undated_article_without_a_source_is_keyed_as_anonymous(seed_articles, unsigned):
    pk = seed_articles[UNSIGNED].pk
    assert (unsigned.author, unsigned.date, unsigned.source) == ("", None, "")
    assert unsigned.key == f"khuyetdanhndduanghi-{pk}"  # "khuyết danh", "no date", "Đưa Nghị…"


def test_the_text_is_nfc_on_one_line_whatever_was_stored(db):
    title = unicodedata.normalize("NFD", "Thường trực  Huyện ủy\nQuỳnh Phụ")
    article = Article.objects.create(title=title, body="Nội dung.", author=unicodedata.normalize("NFD", "Đỗ Hạnh"))
    r = record_of(article)
    assert (r.title, r.author) == ("Thường trực Huyện ủy Quỳnh Phụ", "Đỗ Hạnh")
    assert r.key == f"dohanhndthuongtruc-{article.pk}"


def test_the_day_accessed_is_today_in_vietnam_unless_given(seed_articles):
    assert citation.record(seed_articles[MO_CAY_BAC], absolute).accessed == timezone.localdate()


# --- the text to copy --------------------------------------------------------------------------
def test_vietnamese_style(mo_cay_bac):
    assert citation.vietnamese(mo_cay_bac) == (
        f"Hương Thu (13/11/2020), “{MO_CAY_BAC}”, <i>Báo Đồng Khởi</i>, truy cập ngày 01/12/2026, "
        f"&lt;{mo_cay_bac.url}&gt;."
    )


def test_vietnamese_style_without_author_date_or_source(unsigned):
    assert citation.vietnamese(unsigned) == (
        f"“{UNSIGNED}” (không rõ ngày), truy cập ngày 01/12/2026, &lt;{unsigned.url}&gt;."
    )


def test_apa_style(mo_cay_bac):
    assert citation.apa(mo_cay_bac) == (
        f"Hương Thu. (2020, November 13). {MO_CAY_BAC}. <i>Báo Đồng Khởi</i>. {mo_cay_bac.url}"
    )


def test_apa_style_without_author_date_or_source_cites_the_title_alone(unsigned):
    assert citation.apa(unsigned) == f"<i>{UNSIGNED}.</i> (n.d.). {unsigned.url}"


def test_apa_style_keeps_a_question_for_a_full_stop_and_names_an_unsigned_articles_paper(seed_articles):
    article = seed_articles[MO_CAY_BAC]
    article.title, article.author = "Vì sao phải đổi mới?", ""
    r = record_of(article)
    assert citation.apa(r) == f"Vì sao phải đổi mới? (2020, November 13). <i>Báo Đồng Khởi</i>. {r.url}"


def test_the_styles_escape_html(seed_articles):
    article = seed_articles[MO_CAY_BAC]
    article.title = "<script>alert(1)</script> & “Đảng”"
    r = record_of(article)
    for style in (citation.vietnamese, citation.apa):
        assert "<script>" not in style(r) and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “Đảng”" in style(r)


# --- meta tags ---------------------------------------------------------------------------------
def mo_cay_bac_meta_tags(url):
    """The meta tags of the seed article MO_CAY_BAC whose permalink is `url`."""
    return [
        ("citation_title", MO_CAY_BAC),
        ("citation_author", "Hương Thu"),
        ("citation_publication_date", "2020/11/13"),
        ("citation_date", "2020/11/13"),
        ("citation_journal_title", "Báo Đồng Khởi"),
        ("citation_language", "vi"),
        ("citation_public_url", url),
        ("citation_fulltext_html_url", url),
        ("DC.title", MO_CAY_BAC),
        ("DC.creator", "Hương Thu"),
        ("DC.date", "2020-11-13"),
        ("DC.publisher", "Báo Đồng Khởi"),
        ("DC.language", "vi"),
        ("DC.identifier", url),
        ("DC.type", "Text"),
    ]


def test_meta_tags(mo_cay_bac):
    assert citation.meta_tags(mo_cay_bac) == mo_cay_bac_meta_tags(mo_cay_bac.url)


def test_meta_tags_leave_out_what_is_not_known_and_name_the_original_as_source(seed_articles):
    article = seed_articles[UNSIGNED]
    article.original_url = "https://baoangiang.com.vn/dua-nghi-quyet-vao-cuoc-song-a1.html"
    names = dict(citation.meta_tags(record_of(article)))
    assert names["DC.source"] == article.original_url
    assert not {"citation_author", "citation_date", "citation_journal_title", "DC.creator", "DC.date"} & set(names)


# --- RIS ---------------------------------------------------------------------------------------
def test_ris_reads_back_with_a_ris_parser(mo_cay_bac, unsigned):
    chunks = list(citation.ris([mo_cay_bac, unsigned]))
    assert len(chunks) == 2 and all(c.endswith("ER  - \r\n\r\n") for c in chunks)
    first, second = rispy.loads(text(chunks))
    assert first == {
        "type_of_reference": "NEWS",
        "id": mo_cay_bac.key,
        "title": MO_CAY_BAC,
        "authors": ["Hương Thu"],
        "year": "2020",
        "date": "2020/11/13",
        "secondary_title": "Báo Đồng Khởi",
        "language": "vi",
        "urls": [mo_cay_bac.url],
        "access_date": "2026/12/01",
    }
    assert second == {
        "type_of_reference": "NEWS",
        "id": unsigned.key,
        "title": UNSIGNED,
        "language": "vi",
        "urls": [unsigned.url],
        "access_date": "2026/12/01",
    }


def test_the_formats_take_any_iterable_and_yield_as_they_go(mo_cay_bac):
    def one_at_a_time():
        yield mo_cay_bac
        raise AssertionError("read past the first record before it was asked for")

    for write in (citation.ris, citation.bibtex):
        assert mo_cay_bac.key in next(write(one_at_a_time()))
    assert text(citation.csl_json([])) == "[\n]\n" and json.loads(text(citation.csl_json([]))) == []


# --- BibTeX ------------------------------------------------------------------------------------
def parse_bibtex(source):
    library = bibtexparser.parse_string(source, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    return library.entries


def test_bibtex_reads_back_with_a_bibtex_parser(mo_cay_bac, unsigned):
    source = text(citation.bibtex([mo_cay_bac, unsigned]))
    first, second = parse_bibtex(source)
    assert (first.entry_type, first.key) == ("article", mo_cay_bac.key)
    assert {name: field.value for name, field in first.fields_dict.items()} == {
        "author": "Hương Thu",
        "title": MO_CAY_BAC,
        "journal": "Báo Đồng Khởi",
        "date": "2020-11-13",
        "year": "2020",
        "url": mo_cay_bac.url,
        "urldate": "2026-12-01",
        "langid": "vietnamese",
    }
    assert (second.entry_type, second.key) == ("misc", unsigned.key)  # no newspaper: not an article
    assert set(second.fields_dict) == {"title", "url", "urldate", "langid"}
    # The title and byline are braced twice, so no style recases the one or splits the other.
    assert "title = {{Mỏ Cày Bắc" in source and "author = {{Hương Thu}}" in source


def test_bibtex_escapes_latex_specials_and_unbalanced_braces(seed_articles):
    article = seed_articles[MO_CAY_BAC]
    article.title = "Giảm 50% chi phí & {dự án} #1 a_b ~x \\z $ }{"
    article.author = "Nhóm PV {Đảng}"
    source = text(citation.bibtex([record_of(article)]))
    (entry,) = parse_bibtex(source)
    assert entry["title"] == article.title and entry["author"] == "Nhóm PV {Đảng}"
    article.title = "2^10"
    assert r"2\textasciicircum{}10" in text(citation.bibtex([record_of(article)]))


# --- CSL-JSON ----------------------------------------------------------------------------------
def test_csl_json_is_valid_per_the_csl_schema(mo_cay_bac, unsigned):
    items = json.loads(text(citation.csl_json([mo_cay_bac, unsigned])))
    jsonschema.validate(items, CSL_SCHEMA, cls=jsonschema.Draft7Validator)
    assert items == [
        {
            "id": mo_cay_bac.key,
            "type": "article-newspaper",
            "title": MO_CAY_BAC,
            "author": [{"literal": "Hương Thu"}],
            "issued": {"date-parts": [[2020, 11, 13]]},
            "container-title": "Báo Đồng Khởi",
            "URL": mo_cay_bac.url,
            "accessed": {"date-parts": [[2026, 12, 1]]},
            "language": "vi",
        },
        {
            "id": unsigned.key,
            "type": "article-newspaper",
            "title": UNSIGNED,
            "URL": unsigned.url,
            "accessed": {"date-parts": [[2026, 12, 1]]},
            "language": "vi",
        },
    ]


def test_the_schema_check_can_fail(mo_cay_bac):
    (item,) = json.loads(text(citation.csl_json([mo_cay_bac])))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{**item, "issued": "13/11/2020", "author": "Hương Thu"}], CSL_SCHEMA)


# --- Vietnamese intact everywhere ----------------------------------------------------------------
def test_every_format_keeps_vietnamese_in_nfc(db):
    source = Source.objects.create(name=unicodedata.normalize("NFD", "Báo Quảng Ngãi"))
    article = Article.objects.create(
        title=unicodedata.normalize("NFD", "Ủy ban Kiểm tra Tỉnh ủy họp kỳ thứ ữ"),
        body="Nội dung.",
        author=unicodedata.normalize("NFD", "Nguyễn Thị Đoan Trang"),
        source=source,
        published_at=datetime.datetime(2022, 3, 4, 2, 0, tzinfo=datetime.UTC),
    )
    r = record_of(article)
    outputs = {
        "vietnamese": citation.vietnamese(r),
        "apa": citation.apa(r),
        "meta": json.dumps(citation.meta_tags(r), ensure_ascii=False),
        "ris": text(citation.ris([r])),
        "bibtex": text(citation.bibtex([r])),
        "csl": text(citation.csl_json([r])),
    }
    for name, output in outputs.items():
        assert unicodedata.is_normalized("NFC", output), name
        for words in ("Ủy ban Kiểm tra Tỉnh ủy họp kỳ thứ ữ", "Nguyễn Thị Đoan Trang", "Báo Quảng Ngãi"):
            assert words in output, (name, words)
    assert r.key == f"nguyenthidoantrang2022uyban-{article.pk}"
