from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from archive import services
from archive.ingest import import_uploads
from archive.models import (
    Article,
    ArticleLink,
    ArticleLocality,
    ArticleOfficial,
    ArticleTerm,
    DismissedLink,
    Locality,
    Official,
    Position,
    Source,
    Term,
)
from archive.text import slug_for, sort_key

admin.site.site_header = _("Lưu trữ tin xây dựng Đảng – Biên tập")
admin.site.site_title = _("Biên tập lưu trữ")
admin.site.index_title = _("Quản trị nội dung")


class FoldedSearchMixin(admin.ModelAdmin):
    """Editors type without diacritics too: a search also matches the accent-free slug."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            results |= queryset.filter(slug__icontains=slug_for(search_term))
        return results, may_have_duplicates


class ProvinceFilter(admin.SimpleListFilter):
    """Articles naming a province, old (63) or current (34), or any unit inside it."""

    title = _("tỉnh, thành")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        provinces = Locality.objects.filter(kind=Locality.Kind.PROVINCE)
        ordered = sorted(provinces, key=lambda p: (p.era != Locality.Era.CURRENT, sort_key(p.short_name)))
        return [(p.pk, f"{p.short_name} ({p.get_era_display()})") for p in ordered]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        unit = Locality.objects.filter(pk=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(**{f"localities__{unit.scope_field}": unit}).distinct()


class YearFilter(admin.SimpleListFilter):
    title = _("năm đăng")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("published_at", "year", order="DESC")
        return [(d.year, str(d.year)) for d in years] + [("none", _("không rõ ngày"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.filter(published_at=None)
        if value and value.isdigit():
            return queryset.filter(published_at__year=int(value))
        return queryset


class LinkInline(admin.TabularInline):
    """An article's link to a unit, person or term; `origin` tells extracted from edited."""

    extra = 0
    readonly_fields = ["origin"]


class LocalityInline(LinkInline):
    model = ArticleLocality
    autocomplete_fields = ["locality"]
    fields = ["locality", "origin"]


class OfficialInline(LinkInline):
    model = ArticleOfficial
    autocomplete_fields = ["official"]
    fields = ["official", "origin"]


class TermInline(LinkInline):
    model = ArticleTerm
    fields = ["term", "origin"]


class DismissedInline(admin.TabularInline):
    """What the editor removed; deleting a row here lets extraction find it again."""

    model = DismissedLink
    extra = 0
    fields = ["kind", "target", "dismissed_at"]
    readonly_fields = ["kind", "target", "dismissed_at"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("liên kết"))
    def target(self, dismissed):
        return dismissed.target or dismissed.target_id


def remember_editors_choices(formset, kind: str, target: str) -> None:
    """Rows the editor deleted, added or changed in `formset`, told to the removed-links policy
    (archive.services): a later extraction neither undoes nor repeats the correction."""
    for row in formset.deleted_forms:
        if row.instance.pk:
            services.dismiss_link(row.instance.article_id, kind, getattr(row.instance, f"{target}_id"))
    for row in formset.forms:
        if row.has_changed() and row not in formset.deleted_forms:
            services.editor_linked(row.instance, kind, target, replaced=row.initial.get(target))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=MultipleFileInput(attrs={"multiple": True}), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) and data else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ImportForm(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024  # what one request imports well within a web server's timeout

    files = MultipleFileField(  # type: ignore[assignment]  # a declared field: the metaclass moves it to base_fields
        label=_("Tệp bài viết"),
        help_text=_(
            "Tệp văn bản của từng bài (như khi sao chép từ trang báo), hoặc một tệp JSON lines (.jsonl, .jsonl.gz). "
            "Bài đã có được bỏ qua, không nhập trùng. Tối đa 20 MB một lần."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if sum(f.size for f in files) > self.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Các tệp quá 20 MB: hãy chia nhỏ, hoặc nhập bằng lệnh "
                    "“manage.py import_articles” rồi “manage.py rebuild_index”."
                )
            )
        return files


class ArticleForm(forms.ModelForm):
    """The article form, which refuses to overwrite a change saved after the editor opened it."""

    version = forms.CharField(label=_("Phiên bản đã mở"), widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = "__all__"
        error_messages = {
            "title": {"required": _("Bài viết cần có tiêu đề.")},
            "body": {"required": _("Bài viết cần có nội dung.")},
        }

        @staticmethod
        def formfield_callback(field, **kwargs):
            if isinstance(field, models.URLField):
                kwargs["assume_scheme"] = "https"
            return field.formfield(**kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean() or {}
        if self.instance.pk:  # inside the admin's transaction
            services.check_version(self.instance.pk, cleaned.get("version"))
        return cleaned


@admin.register(Article)
class ArticleAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = ArticleForm
    change_list_template = "admin/archive/article/change_list.html"
    list_display = ["title", "published_at", "source", "author", "status", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["status", "source", ProvinceFilter, YearFilter]
    list_select_related = ["source"]
    search_fields = ["title", "lead", "author", "original_url"]
    date_hierarchy = "published_at"
    list_per_page = 50
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["source"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [LocalityInline, OfficialInline, TermInline, DismissedInline]
    fieldsets = [
        (None, {"fields": ["title", "status", "published_at", "source", "author", "version"]}),
        (_("Nội dung"), {"fields": ["lead", "body", "captions"]}),
        (_("Nguồn gốc"), {"fields": ["original_url", "created_at", "updated_at"]}),
    ]

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="archive_article_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Bulk import from uploaded files, with the importer the command uses, and its report."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
        report = None
        if form.is_bound and form.is_valid():
            report = import_uploads(form.cleaned_data["files"])
            created = Article.objects.filter(pk__in=report.created_ids)
            if created:
                LogEntry.objects.log_actions(
                    request.user.pk,
                    list(created),
                    ADDITION,
                    change_message=str(_("Nhập hàng loạt")),
                    single_object=False,
                )
        return TemplateResponse(
            request,
            "admin/archive/article/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "report": report,
                "title": _("Nhập bài hàng loạt"),
            },
        )

    def save_formset(self, request, form, formset, change):
        if issubclass(formset.model, ArticleLink):
            remember_editors_choices(formset, kind=formset.model.target, target=formset.model.target)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        """After the editor's own changes, find what the text names now and show it."""
        super().save_related(request, form, formsets, change)
        found = services.relink(form.instance)
        self.message_user(
            request,
            _(
                "Nhận diện từ nội dung: %(localities)d địa phương, %(officials)d cán bộ, "
                "%(terms)d nhiệm kỳ (sửa ở các mục bên dưới; mục đã gỡ sẽ không bị thêm lại)."
            )
            % found,
            messages.INFO,
        )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "site", "home_province"]
    search_fields = ["name", "code", "site"]
    autocomplete_fields = ["home_province"]


@admin.register(Locality)
class LocalityAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "era", "code", "province", "current_province"]
    list_filter = ["era", "kind"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["province", "current_province"]
    autocomplete_fields = ["parent", "province", "district", "current_province"]


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    autocomplete_fields = ["locality", "article"]
    fields = ["title", "organisation", "locality", "article", "stated_on", "origin"]
    readonly_fields = ["origin"]


@admin.register(Official)
class OfficialAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]
    inlines = [PositionInline]

    def save_formset(self, request, form, formset, change):
        remember_editors_choices(formset, kind=DismissedLink.Kind.POSITION, target="official")
        super().save_formset(request, form, formset, change)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start_year", "end_year"]
    search_fields = ["start_year", "end_year"]


@admin.register(LogEntry)
class LogEntryAdmin(admin.ModelAdmin):
    """Who changed what, when: the admin's own log, read-only."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag", "change"]
    list_filter = ["action_flag", "content_type", "user"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]

    @admin.display(description=_("thay đổi"))
    def change(self, entry):
        return entry.get_change_message()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
