"""The archive's truth: sources, articles, administrative units, officials, party terms."""

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from archive.text import is_heading, normalise, paragraphs, slug_for

PUBLISHED_AT_TOLERANCE = datetime.timedelta(minutes=5)  # clocks differ a little


if TYPE_CHECKING:  # the mixin comes before a Field subclass, whose methods it extends
    _FieldBase = models.Field[Any, Any]
else:
    _FieldBase = object


class Normalised(_FieldBase):
    """A text field kept in archive.text's stored form whoever writes it: save() and create() (the
    admin, the shell) and bulk_create() (the importer) go through pre_save, which also updates the
    instance; update() and lookups through to_python. Only fixtures load raw."""

    def normalised(self, value: str) -> str:
        return normalise(value).strip()

    def to_python(self, value):
        """Also what model validation (uniqueness, length) and queries (exact, in, update()) see."""
        value = super().to_python(value)
        return self.normalised(value) if value else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value:
            value = self.normalised(value)
            setattr(model_instance, self.attname, value)
        return value


class NormalisedCharField(Normalised, models.CharField):
    pass


class NormalisedTextField(Normalised, models.TextField):
    pass


class ParagraphsField(NormalisedTextField):
    """Paragraphs separated by one blank line, however many the editor typed."""

    def normalised(self, value: str) -> str:
        return "\n\n".join(paragraphs(value))


class NaturalKeyManager(models.Manager):
    """Fixtures refer to rows by their natural key instead of database ids."""

    def get_by_natural_key(self, *key):
        fields = self.model.NATURAL_KEY  # type: ignore[attr-defined]  # the models using it are NaturalKeyed
        return self.get(**dict(zip(fields, key, strict=True)))


class NaturalKeyed(models.Model):
    NATURAL_KEY: tuple = ()

    objects = NaturalKeyManager()

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(getattr(self, f) for f in self.NATURAL_KEY)


class Source(NaturalKeyed):
    NATURAL_KEY = ("name",)

    name = NormalisedCharField(_("tên báo"), max_length=200, unique=True)
    code = models.CharField(
        _("mã báo"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mã viết tắt đứng đầu bài, ví dụ BDK."),
    )
    site = models.CharField(_("trang web"), max_length=200, blank=True)
    home_province = models.ForeignKey(
        "Locality",
        verbose_name=_("tỉnh của tờ báo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("nguồn báo")
        verbose_name_plural = _("nguồn báo")

    def __str__(self):
        return self.name


def _unit_above(verbose_name, related_name: str, on_delete=models.CASCADE, **options) -> models.ForeignKey:
    """A unit's link to a unit above it (or itself), which units at the top have none of."""
    return models.ForeignKey(
        "self",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


class Locality(NaturalKeyed):
    """An administrative unit: the 63 legacy provinces with their districts and communes,
    and the 34 provinces in force since 2025-07-01."""

    NATURAL_KEY = ("era", "kind", "code")

    class Kind(models.TextChoices):
        PROVINCE = "province", _("tỉnh/thành phố")
        DISTRICT = "district", _("quận/huyện")
        COMMUNE = "commune", _("xã/phường/thị trấn")

    class Era(models.TextChoices):
        LEGACY = "legacy", _("trước 01/7/2025")
        CURRENT = "2025", _("từ 01/7/2025")

    kind = models.CharField(_("cấp"), max_length=10, choices=Kind.choices)
    era = models.CharField(_("thời kỳ"), max_length=6, choices=Era.choices, default=Era.LEGACY)
    code = models.CharField(_("mã đơn vị"), max_length=10)
    name = models.CharField(_("tên đầy đủ"), max_length=120)
    short_name = models.CharField(_("tên"), max_length=100)
    type_name = models.CharField(_("loại"), max_length=20, blank=True)
    slug = models.SlugField(_("tên trong đường dẫn"), max_length=120)
    parent = _unit_above(_("thuộc"), "children")
    # Denormalised ancestors (a unit is its own), so "articles in X" is one join whatever unit was named.
    province = _unit_above(_("tỉnh (cũ)"), "in_province")
    district = _unit_above(_("huyện (cũ)"), "in_district")
    current_province = _unit_above(
        _("tỉnh từ 2025"),
        "in_current_province",
        on_delete=models.PROTECT,
        limit_choices_to={"era": "2025", "kind": "province"},
    )

    class Meta:
        ordering = ["kind", "short_name"]
        verbose_name = _("địa phương")
        verbose_name_plural = _("địa phương")
        constraints = [
            models.UniqueConstraint(fields=["era", "kind", "code"], name="locality_unique_code"),
            models.UniqueConstraint(fields=["era", "kind", "parent", "slug"], name="locality_unique_slug"),
        ]
        indexes = [models.Index(fields=["kind", "short_name"])]

    def __str__(self):
        if self.kind == self.Kind.PROVINCE:
            return self.name
        return f"{self.name}, {self.province.short_name}" if self.province_id else self.name

    def get_absolute_url(self):
        if self.era == self.Era.CURRENT:
            return reverse("archive:current_province", args=[self.slug])
        if self.kind == self.Kind.PROVINCE:
            return reverse("archive:province", args=[self.slug])
        if self.kind == self.Kind.DISTRICT:
            return reverse("archive:district", args=[self.province.slug, self.slug])
        return self.parent.get_absolute_url()

    @property
    def scope_field(self):
        """The ancestor field that holds this unit for every unit inside it (itself included)."""
        if self.era == self.Era.CURRENT:
            return "current_province"
        return "district" if self.kind == self.Kind.DISTRICT else "province"


class Term(NaturalKeyed):
    """A party term (nhiệm kỳ), e.g. 2020–2025."""

    NATURAL_KEY = ("start_year", "end_year")

    start_year = models.PositiveSmallIntegerField(_("năm đầu"))
    end_year = models.PositiveSmallIntegerField(_("năm cuối"))

    class Meta:
        ordering = ["-start_year", "-end_year"]
        verbose_name = _("nhiệm kỳ")
        verbose_name_plural = _("nhiệm kỳ")
        constraints = [
            models.UniqueConstraint(fields=["start_year", "end_year"], name="term_unique_span"),
            models.CheckConstraint(
                condition=models.Q(end_year__gt=models.F("start_year")), name="term_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.start_year}–{self.end_year}"

    def get_absolute_url(self):
        return reverse("archive:term", args=[self.start_year, self.end_year])

    @property
    def key(self) -> str:
        """ "2020-2025": how the search index, its facet links and the API name a term."""
        return f"{self.start_year}-{self.end_year}"


class Official(models.Model):
    name = NormalisedCharField(_("họ tên"), max_length=120, db_index=True)
    slug = models.SlugField(_("tên trong đường dẫn"), max_length=140)  # namesakes share a slug; pages use the id

    class Meta:
        ordering = ["name"]
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slug_for(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:official", args=[self.pk, self.slug])


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("bản nháp")
        PUBLISHED = "published", _("đã đăng")

    title = NormalisedCharField(_("tiêu đề"), max_length=500)
    slug = models.SlugField(_("tên trong đường dẫn"), max_length=120, blank=True)
    lead = ParagraphsField(_("sa pô"), blank=True)
    body = ParagraphsField(_("nội dung"), help_text=_("Các đoạn cách nhau một dòng trống."))
    captions = NormalisedTextField(_("chú thích ảnh"), blank=True, help_text=_("Mỗi chú thích một dòng."))
    author = NormalisedCharField(_("tác giả"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True, db_index=True)
    source = models.ForeignKey(
        Source, verbose_name=_("nguồn"), null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    original_url = models.URLField(
        _("đường dẫn gốc"),
        max_length=500,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("Đã có bài viết với đường dẫn gốc này.")},
    )
    import_key = models.CharField(
        _("khóa nhập"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("Nhận diện bài đã nhập, để nhập lại không tạo bản trùng."),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PUBLISHED, db_index=True
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    localities = models.ManyToManyField(
        Locality, through="ArticleLocality", blank=True, verbose_name=_("địa phương"), related_name="articles"
    )
    officials = models.ManyToManyField(
        Official, through="ArticleOfficial", blank=True, verbose_name=_("cán bộ"), related_name="articles"
    )
    terms = models.ManyToManyField(
        Term, through="ArticleTerm", blank=True, verbose_name=_("nhiệm kỳ"), related_name="articles"
    )

    class Meta:
        ordering = [models.F("published_at").desc(nulls_last=True), "-id"]
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from archive.services import prepare_article  # the services import the models

        prepare_article(self)
        with transaction.atomic():  # what post_save records (the pending index change) commits with it
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:article", args=[self.pk, self.slug])

    def clean(self):
        if self.published_at and self.published_at > timezone.now() + PUBLISHED_AT_TOLERANCE:
            raise ValidationError(
                {
                    "published_at": _("Ngày đăng %(date)s ở tương lai: một bài lưu trữ đã đăng rồi.")
                    % {"date": timezone.localtime(self.published_at).strftime("%d/%m/%Y %H:%M")}
                }
            )

    @property
    def blocks(self):
        """(is_heading, text) for each paragraph of the body."""
        return [(is_heading(p), p) for p in paragraphs(self.body)]

    @property
    def caption_list(self):
        return [c for c in self.captions.splitlines() if c.strip()]

    def search_text(self, byline: bool = False) -> str:
        """Its text one part a line, the title first: title, lead, body, captions (what extraction
        reads) and, with `byline`, the author (what the index searches: search.segmentation)."""
        parts = [self.title, self.lead, self.body, self.captions]
        return "\n".join([*parts, self.author] if byline else parts)


class ArticleLink(models.Model):
    """How an article came to be linked to a unit, person or term: found in its text, or set
    by an editor (an editor's choice is never overwritten by a later extraction)."""

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", _("tự nhận diện")
        EDITOR = "editor", _("biên tập viên")

    target = ""  # in each link model: the name of the field it links to
    article = models.ForeignKey(Article, verbose_name=_("bài viết"), on_delete=models.CASCADE)
    origin = models.CharField(_("nguồn gốc"), max_length=10, choices=Origin.choices, default=Origin.EDITOR)

    class Meta:
        abstract = True

    def __str__(self):  # the admin names a link row by what it links to, not "ArticleLocality object (N)"
        return str(getattr(self, self.target))

    def save(self, *args, **kwargs):
        """A link is part of its article: the article's version moves, in the same transaction
        as the link and the pending index change recorded for it."""
        from archive.services import articles_touched

        with transaction.atomic():  # the link's own post_save records the pending index change
            super().save(*args, **kwargs)
            articles_touched([self.article_id], announce=False)

    def delete(self, *args, **kwargs):
        from archive.services import articles_touched

        with transaction.atomic():  # as does its post_delete, sent for cascades too
            articles_touched([self.article_id], announce=False)
            return super().delete(*args, **kwargs)


class ArticleLocality(ArticleLink):
    target = "locality"  # the linked field's name, also its DismissedLink kind
    locality = models.ForeignKey(Locality, verbose_name=_("địa phương"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("địa phương được nhắc")
        verbose_name_plural = _("địa phương được nhắc")
        constraints = [models.UniqueConstraint(fields=["article", "locality"], name="article_locality_once")]


class ArticleOfficial(ArticleLink):
    target = "official"  # the linked field's name, also its DismissedLink kind
    official = models.ForeignKey(Official, verbose_name=_("cán bộ"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("cán bộ được nhắc")
        verbose_name_plural = _("cán bộ được nhắc")
        constraints = [models.UniqueConstraint(fields=["article", "official"], name="article_official_once")]


class ArticleTerm(ArticleLink):
    target = "term"  # the linked field's name, also its DismissedLink kind
    term = models.ForeignKey(Term, verbose_name=_("nhiệm kỳ"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("nhiệm kỳ được nhắc")
        verbose_name_plural = _("nhiệm kỳ được nhắc")
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="article_term_once")]


class Position(models.Model):
    """A position an article states an official holds, e.g. "Phó Bí thư Thường trực Huyện ủy"."""

    origin = models.CharField(
        _("nguồn gốc"), max_length=10, choices=ArticleLink.Origin.choices, default=ArticleLink.Origin.EDITOR
    )

    official = models.ForeignKey(
        Official, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="positions"
    )
    title = NormalisedCharField(_("chức vụ"), max_length=300)
    organisation = NormalisedCharField(_("cơ quan"), max_length=300, blank=True)
    locality = models.ForeignKey(
        Locality,
        verbose_name=_("địa phương"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("bài viết nêu"), on_delete=models.CASCADE, related_name="positions"
    )
    stated_on = models.DateField(_("ngày nêu"), null=True, blank=True)

    class Meta:
        ordering = [models.F("stated_on").desc(nulls_last=True), "-id"]
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")

    def __str__(self):
        return f"{self.official}: {self.title}"


class DismissedLink(models.Model):
    """A link an editor removed from an article, or positions of an official an editor corrected:
    a later extraction never puts back what the editor took away."""

    class Kind(models.TextChoices):
        LOCALITY = "locality", _("địa phương")
        OFFICIAL = "official", _("cán bộ")
        TERM = "term", _("nhiệm kỳ")
        POSITION = "position", _("chức vụ của cán bộ")

    article = models.ForeignKey(
        Article, verbose_name=_("bài viết"), on_delete=models.CASCADE, related_name="dismissed_links"
    )
    kind = models.CharField(_("loại liên kết"), max_length=10, choices=Kind.choices)
    target_id = models.PositiveBigIntegerField(_("mã"), help_text=_("Mã địa phương, cán bộ hoặc nhiệm kỳ."))
    dismissed_at = models.DateTimeField(_("gỡ lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("liên kết đã gỡ")
        verbose_name_plural = _("liên kết đã gỡ")
        constraints = [models.UniqueConstraint(fields=["article", "kind", "target_id"], name="dismissed_once")]

    def __str__(self):
        return f"{capfirst(self.get_kind_display())}: {self.target or self.target_id}"

    @property
    def target(self):
        """The unit, official (a position's too) or term removed; None once it is deleted."""
        by_kind: dict[str, type[Locality | Term | Official]] = {self.Kind.LOCALITY: Locality, self.Kind.TERM: Term}
        model = by_kind.get(self.kind, Official)
        return model.objects.filter(pk=self.target_id).first()
