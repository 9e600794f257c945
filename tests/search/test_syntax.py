import pytest

from search.syntax import MAX_CLAUSES, Clause, parse


def shown(text):
    return str(parse(text))


@pytest.mark.parametrize(
    "typed, parsed",
    [
        ("xay dung dang", "xay dung dang"),
        ('"Trần Thị Sol" huyện', '"Trần Thị Sol" huyện'),
        ("Tri Tôn OR An Phú", "Tri Tôn OR An Phú"),
        ("Đảng -Tôn NOT Phú", "Đảng -Tôn -Phú"),
        ("title:Tri author:huu", "title:Tri author:huu"),
        ('title:"Tri Tôn"', 'title:"Tri Tôn"'),
        ("AND OR NOT", ""),
        ("OR Đảng OR", "Đảng"),
        ('"chưa đóng ngoặc', '"chưa đóng ngoặc"'),
        ('""', ""),
        ("- -- + &&", ""),
        ("ghi chú:abc", 'ghi "chú:abc"'),
        ("note:abc", '"note:abc"'),
        ("“Trần Thị Sol”", '"Trần Thị Sol"'),
        ("a\x00b\x1bc", "a b c"),
        ("Covid-19", '"Covid-19"'),
    ],
)
def test_tolerant_parse(typed, parsed):
    assert shown(typed) == parsed


def test_overlong_query_is_truncated_and_says_so():
    query = parse("từ " * 5000)
    assert query.truncated and len(query.items) == MAX_CLAUSES


def test_negation_only_query_is_not_a_positive_search():
    assert not parse("-Đảng") and parse("-Đảng").items


def test_free_clauses_leave_out_fields_and_negations():
    assert parse("Đảng title:Tri -Phú").free_clauses == [Clause("Đảng")]
