"""pyvi's segmentation kept with each article (search.segmentation)."""

import pytest

from archive.models import Article
from search.models import Segmentation
from search.segmentation import Ahead, fill, segmented

pytestmark = pytest.mark.django_db


def test_segmentation_is_kept_and_made_again_when_the_text_changes():
    article = Article.objects.create(title="Xây dựng Đảng", body="Công tác cán bộ.")
    assert "Xây_dựng" in segmented(article)
    kept = Segmentation.objects.get(article=article)
    article.body = "Kiểm tra giám sát."
    article.save()
    article.refresh_from_db()
    assert "Kiểm_tra" in segmented(article)
    assert Segmentation.objects.get(article=article).digest != kept.digest


def test_an_article_deleted_while_its_segmentation_is_written_is_deleted_all_the_same():
    article = Article.objects.create(title="Bài sẽ xóa", body="Nội dung.")
    pk = article.pk
    article.delete()
    # What the index worker may do at that moment: keep the segmentation of the article it read.
    Segmentation.objects.create(article_id=pk, digest="x", text="Bài sẽ xóa")
    fill(Article.objects.all())
    assert not Segmentation.objects.filter(article_id=pk).exists()


def test_segmentations_made_ahead_are_those_of_the_current_texts():
    fresh = Article.objects.create(title="Xây dựng Đảng", body="Công tác cán bộ.")
    changed = Article.objects.create(title="Kiểm tra", body="Giám sát.")
    segmented(changed)
    changed.body = "Phát triển kinh tế."
    changed.save()
    current = Article.objects.create(title="Hội nghị", body="Nhân dân.")
    segmented(current)
    Segmentation.objects.filter(article=current).update(text="kept")  # its digest is the current text's
    with Ahead() as ahead:
        ahead.start(Article.objects.all())
        ahead.keep()
    assert "Xây_dựng" in Segmentation.objects.get(article=fresh).text
    assert "Phát_triển" in Segmentation.objects.get(article=changed).text
    assert Segmentation.objects.get(article=current).text == "kept"  # not made again
    assert segmented(Article.objects.get(pk=changed.pk)) == Segmentation.objects.get(article=changed).text
