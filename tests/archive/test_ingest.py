import gzip
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from archive.ingest import IngestError, article_of, import_articles, parse_record, parse_text, read_paths
from archive.models import Article
from tests.conftest import SEEDS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FURNITURE = [
    "BÌNH LUẬN",
    "Chia sẻ bài viết",
    "Bạn còn 500/500",
    "Bạn vui lòng nhập",
    "Tin mới",
    "Phản hồi",
    "Các tin khác",
    "\nA A\n",
    "Ð",
    "ð",
]

SEED_EXPECTATIONS: dict[str, dict[str, Any]] = {
    "000_642f7346503abf27.txt": {
        "title": "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII",
        "published_at": datetime(2020, 11, 13, 7, 3, tzinfo=VN),
        "author": "Hương Thu",
        "source_code": "BDK",
        "lead_start": "Ngay từ đầu năm 2020, Ban Thường vụ Huyện ủy",
        "first_paragraph": "Tập trung xây dựng Đảng",
        "last_paragraph_end": "nhất là trong phong trào trữ nước mưa, nước ngọt.",
        "captions": [
            "Phó bí thư Thường trực Huyện ủy Mỏ Cày Bắc Trần Thị Sol trao quà cho hộ nghèo ở xã Phú Mỹ.",
            "(Phó bí thư Thường trực Huyện ủy Mỏ Cày Bắc Trần Thị Sol)",
        ],
    },
    "001_f9a3dc24e25b1244.txt": {
        "title": "An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp",
        "published_at": datetime(2019, 11, 12, 8, 21, tzinfo=VN),
        "author": "Hữu Huynh",
        "source_code": "",
        "lead_start": "Sau khi tiếp thu Chỉ thị số 35-CT/TW",
        "first_paragraph": "Tăng cường công tác chuẩn bị",
        "last_paragraph_end": "để An Phú phát triển trong thời gian tới.",
        "captions": ["Phó Bí thư Thường trực Tỉnh ủy Võ Anh Kiệt cùng đoàn công tác làm việc với huyện An Phú"],
    },
    "002_05580504dd365c67.txt": {
        "title": "Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng",
        "published_at": None,
        "author": "Việt Anh",
        "source_code": "",
        "lead_start": "Triển khai thực hiện Nghị quyết số 02-NQ/TU ngày 21/1/2021",
        "first_paragraph": "Đổi mới nâng cao chất lượng sinh hoạt ở chi bộ bản",
        "last_paragraph_end": "xây dựng vùng đất cửa ngõ của tỉnh ngày càng phát triển.",
        "captions": ["Sinh hoạt thường kỳ của Chi bộ bản Nôn, xã Liên Hòa, huyện Vân Hồ."],
    },
    "003_5ea9fd1e7cc910c7.txt": {
        "title": "Đưa Nghị quyết vào cuộc sống bằng nhiều giải pháp thiết thực",
        "published_at": None,
        "author": "",
        "source_code": "",
        "lead_start": "",
        "first_paragraph": "* Tại huyện Bá Thước (Thanh Hóa), ngay sau khi Đại hội",
        "last_paragraph_end": "ngay từ những tháng đầu năm 2021./.",
        "captions": [
            "Đại hội Đảng bộ huyện Bá Thước lần thứ XXIII, nhiệm kỳ 2020 - 2025. (Ảnh:baothanhhoa.vn)",
            "Thu hoạch chè tại huyện Thanh Sơn, Phú Thọ (Ảnh:phutho.gov.vn)",
            "Thi công công trình điện gió ở xã Thừa Đức, huyện Bình Đại. (Ảnh: baodongkhoi.vn)",
        ],
    },
    "004_50c322409a118bb1.txt": {
        "title": "Tri Tôn quan tâm công tác xây dựng Đảng",
        "published_at": datetime(2021, 7, 23, 5, 35, tzinfo=VN),
        "author": "Ngô Chuẩn",
        "source_code": "",
        "lead_start": "Trong sử dụng cán bộ, Huyện ủy Tri Tôn (tỉnh An Giang)",
        "first_paragraph": "Thi đua là yêu nước",
        "last_paragraph_end": "giai đoạn 2021-2025 và những năm tiếp theo.",
        "captions": [],
    },
}


@pytest.mark.needs_shared
@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_each_seed_is_parsed_as_published(name):
    expected = SEED_EXPECTATIONS[name]
    article = parse_text((SEEDS / name).read_text(encoding="utf-8"))
    paragraphs = article.body.split("\n\n")

    assert article.title == expected["title"]
    assert article.published_at == expected["published_at"]
    assert article.author == expected["author"]
    assert article.source_code == expected["source_code"]
    assert article.lead.startswith(expected["lead_start"])
    assert paragraphs[0].startswith(expected["first_paragraph"])
    assert paragraphs[-1].endswith(expected["last_paragraph_end"])
    assert article.captions == expected["captions"]
    everything = article_of(article).search_text()
    for furniture in FURNITURE:
        assert furniture not in everything
    for caption in article.captions:
        assert caption not in paragraphs
    assert article.author not in paragraphs


def test_lead_loses_its_source_code_prefix():
    article = parse_text("Tiêu đề\n\n01/02/2021 - 10:00\n\nBDK - Sa pô của bài.\n\nĐoạn một. Câu hai.\n")
    assert (article.source_code, article.lead, article.body) == ("BDK", "Sa pô của bài.", "Đoạn một. Câu hai.")


def test_impossible_date_is_an_error_not_a_guess():
    with pytest.raises(IngestError, match="ngày đăng"):
        parse_text("Tiêu đề\n31/02/2021 - 10:00\nĐoạn một.\nĐoạn hai.\n")


def test_empty_file_is_an_error():
    with pytest.raises(IngestError):
        parse_text("\n \n\u00a0\n")


def test_record_with_decomposed_text_and_lookalike_d_is_normalised():
    article = parse_record({"id": "x-1", "title": "Ðại hội Đa\u0309ng bộ", "lead": "", "body": "Nội dung.\n\nĐoạn 2."})
    assert article.title == "Đại hội Đảng bộ"
    assert article.body == "Nội dung.\n\nĐoạn 2."


def test_record_without_body_keeps_its_lead_as_text():
    article = parse_record({"title": "Tin ngắn", "lead": "Chỉ có sa pô.", "body": ""})
    assert (article.lead, article.body) == ("", "Chỉ có sa pô.")


@pytest.mark.parametrize(
    "record, message",
    [
        ({"title": "", "body": "x"}, "tiêu đề"),
        ({"title": "Tiêu đề", "body": "", "lead": ""}, "nội dung"),
        ({"title": 5, "body": "x"}, "title"),
        ({"title": "T", "body": "x", "published": "hôm qua"}, "ngày đăng"),
        (["not", "an", "object"], "đối tượng"),
    ],
)
def test_bad_records_say_what_is_wrong(record, message):
    with pytest.raises(IngestError, match=message):
        parse_record(record)


@pytest.mark.needs_shared
@pytest.mark.django_db
def test_seed_folder_imports_once(capsys):
    call_command("import_articles", str(SEEDS))
    assert Article.objects.count() == 5
    call_command("import_articles", str(SEEDS))
    assert Article.objects.count() == 5
    assert "bỏ qua 5 bài đã có" in capsys.readouterr().out


@pytest.mark.django_db
def test_broken_inputs_are_reported_and_the_rest_imports(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Bài tốt\n\nNội dung bài tốt.\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "empty.txt").write_text("")
    lines = [
        json.dumps({"id": "c-1", "title": "Bài một", "body": "Nội dung một."}),
        "{not json",
        json.dumps({"id": "c-2", "title": "", "body": "thiếu tiêu đề"}),
        json.dumps({"id": "c-3", "title": "Bài ba", "body": "Nội dung ba."}),
    ]
    with gzip.open(tmp_path / "corpus.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    with pytest.raises(CommandError):
        call_command("import_articles", str(tmp_path))

    assert set(Article.objects.values_list("title", flat=True)) == {"Bài tốt", "Bài một", "Bài ba"}
    errors = capsys.readouterr().err
    assert f"{tmp_path / 'binary.txt'}: không phải văn bản UTF-8" in errors
    assert f"{tmp_path / 'empty.txt'}: tệp trống" in errors
    assert f"{tmp_path / 'corpus.jsonl.gz'}:2: JSON không hợp lệ" in errors
    assert f"{tmp_path / 'corpus.jsonl.gz'}:3: thiếu tiêu đề" in errors


@pytest.mark.django_db
def test_truncated_gzip_keeps_what_was_read(tmp_path):
    data = gzip.compress(
        "".join(
            json.dumps({"id": f"c-{i}", "title": f"Bài {i}", "body": "Nội dung."}) + "\n" for i in range(200)
        ).encode()
    )
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    report = import_articles(read_paths([tmp_path]))
    assert report.created > 0
    assert report.errors and "không đọc được" in report.errors[-1][1]


@pytest.mark.django_db
def test_same_url_under_another_id_is_a_duplicate(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"id": "a", "url": "http://x.vn/1", "title": "Một", "body": "B."})
        + "\n"
        + json.dumps({"id": "b", "url": "http://x.vn/1", "title": "Một", "body": "B."})
        + "\n"
    )
    report = import_articles(read_paths([path]), batch_size=1)
    assert (report.created, report.duplicates) == (1, 1)


@pytest.mark.django_db
def test_corpus_source_description_becomes_one_newspaper(tmp_path):
    source = "Báo Mới (baomoi.com, aggregator; original paper not recorded)"
    (tmp_path / "c.jsonl").write_text(
        "".join(
            json.dumps({"id": f"baomoi-{i}", "title": f"Tin {i}", "body": "B.", "source": source}) + "\n"
            for i in range(3)
        )
    )
    import_articles(read_paths([tmp_path]))
    assert set(Article.objects.values_list("source__name", "source__site")) == {("Báo Mới", "baomoi.com")}


def test_missing_path_is_reported(tmp_path):
    items = list(read_paths([tmp_path / "nope.txt"]))
    assert items[0].error == "không tìm thấy tệp"


@pytest.mark.parametrize(
    "record, message",
    [
        ({"title": "T", "body": "x", "published": "2024-02-30"}, "ngày đăng"),
        ({"title": "T", "body": "x", "published": "2024-01-01T25:00:00"}, "ngày đăng"),
        ({"title": "T", "body": "x", "url": "javascript:alert(1)"}, "đường dẫn"),
    ],
)
def test_impossible_dates_and_unsafe_urls_are_reported(record, message):
    with pytest.raises(IngestError, match=message):
        parse_record(record)
