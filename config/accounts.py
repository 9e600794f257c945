"""Readers' accounts: self sign-up confirmed by e-mail, sign-in, sign-out and password reset.

Readers are Django users without staff status: they save searches and get alerts (search/alerts.py),
and never see the admin, which is the editors' (staff) only. A reader signs up with an e-mail
address (also their user name) and a password; the account stays inactive, so it cannot sign in,
until the link e-mailed to that address is opened (Django's token generator: the link stops working
once used, after PASSWORD_RESET_TIMEOUT, or when the password changes). Sign-ups and sign-in
attempts are counted per client address (ACCOUNT_RATE) with the search rate's machinery
(config/limits.py): past it HTTP 429 with Retry-After.
"""

import logging
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import get_usage

from config.limits import refused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)
User = get_user_model()


def _wait(request, group: str):
    """Seconds until this address may try again, or None while within ACCOUNT_RATE (counting this try)."""
    if not settings.ACCOUNT_RATE:
        return None
    try:
        usage = get_usage(request, group=group, key="ip", rate=settings.ACCOUNT_RATE, increment=True)
    except OSError:
        log.warning("account rate not counted: the limits cache is unusable", exc_info=True)
        return None
    return max(1, usage["time_left"]) if usage and usage["should_limit"] else None


def too_many_tries(request, group: str):
    """An HTTP 429 when this address tried `group` (sign-up, sign-in, password-reset) too often, else None."""
    wait = _wait(request, group)
    if wait is None:
        return None
    return refused(
        request, 429, wait, _("Quá nhiều lần thử"), _("Địa chỉ của bạn đã thử quá nhiều lần trong một thời gian ngắn.")
    )


class SignUpForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Địa chỉ e-mail"), max_length=150)
    password1 = forms.CharField(
        label=gettext_lazy("Mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"].strip())  # the domain in lower case

    def clean(self):
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        elif data.get("password1") and data.get("email"):
            try:
                password_validation.validate_password(data["password1"], User(username=data["email"]))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def send_confirmation(user) -> None:
    """The e-mail whose link activates `user`'s account."""
    link = _absolute(
        reverse(
            "accounts:confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
        )
    )
    send_mail(
        _("Xác nhận địa chỉ e-mail của bạn"),
        render_to_string("accounts/confirm_email.txt", {"link": link, "email": user.email}),
        None,
        [user.email],
    )


@sensitive_post_parameters("password1", "password2")
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if too_many := too_many_tries(request, "sign-up"):
            return too_many
        if form.is_valid():
            email = form.cleaned_data["email"]
            existing = User.objects.filter(username__iexact=email).first()
            if existing is None:
                user = User(username=email, email=email, is_active=False, is_staff=False)
                user.set_password(form.cleaned_data["password1"])
                user.save()
                send_confirmation(user)
            elif not existing.is_active and not existing.is_staff:
                send_confirmation(existing)  # the first e-mail went astray: a new link
            # The same answer whether or not the address had an account: the page tells no one who is signed up.
            return render(request, "accounts/sign_up_done.html", {"email": email})
    return render(request, "accounts/sign_up.html", {"form": form}, status=400 if form.errors else 200)


def confirm(request, uidb64, token):
    """The link of the confirmation e-mail: activates the account and signs the reader in."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        user = None
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        if user is not None and user.is_active:
            messages.info(request, _("Tài khoản đã được xác nhận: mời đăng nhập."))
            return redirect("accounts:login")
        return render(request, "accounts/confirm_failed.html", status=400)
    user.is_active = True
    user.save(update_fields=["is_active"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Đã xác nhận địa chỉ e-mail. Chào mừng bạn!"))
    return redirect("search:saved")


class Relabelled(forms.Form):
    """A form of django.contrib.auth with our labels for its fields (LABELS: name -> label)."""

    LABELS: dict[str, "StrOrPromise"] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label


class SignInForm(Relabelled, AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy(
            "E-mail hoặc mật khẩu không đúng (tài khoản mới cần được xác nhận qua e-mail trước)."
        ),
        "inactive": gettext_lazy("Tài khoản chưa được xác nhận qua e-mail."),
    }

    LABELS = {"username": gettext_lazy("Địa chỉ e-mail"), "password": gettext_lazy("Mật khẩu")}


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        return too_many_tries(request, "sign-in") or super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ResetForm(Relabelled, PasswordResetForm):
    LABELS = {"email": gettext_lazy("Địa chỉ e-mail")}


class ResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        return too_many_tries(request, "password-reset") or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Links in the e-mail name SITE_URL, as the confirmation and alert e-mails do.
        scheme, _sep, domain = settings.SITE_URL.partition("://")
        self.extra_email_context = {"protocol": scheme, "domain": domain}
        return super().form_valid(form)


class NewPasswordForm(Relabelled, SetPasswordForm):
    LABELS = {"new_password1": gettext_lazy("Mật khẩu mới"), "new_password2": gettext_lazy("Nhập lại mật khẩu mới")}


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, with a link that is wrong, expired or used answered 400 (the page says so)."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:  # a good link first redirects (302)
            response.status_code = 400
        return response


urlpatterns = [
    path("sign-up/", sign_up, name="sign_up"),
    path("confirm/<str:uidb64>/<str:token>/", confirm, name="confirm"),
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", ResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        ResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
