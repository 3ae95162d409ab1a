"""URLs of the member portal (namespace ``portal``)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import public, views
from .forms import LoginForm, MemberPasswordChangeForm, MemberSetPasswordForm, PasswordResetForm

app_name = "portal"

urlpatterns = [
    path("", public.home, name="dashboard"),
    path("apply/", public.apply, name="apply"),
    path("apply/sent/", public.application_sent, name="application_sent"),
    path("apply/confirm/<str:token>/", public.application_confirm, name="application_confirm"),
    path("profile/", views.profile, name="profile"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("language/", views.set_language, name="set_language"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("2fa/setup/send/", views.otp_send_link, name="otp_send_link"),
    path("2fa/enrol/<str:token>/", views.otp_enrol, name="otp_enrol"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("portal:password_change_done"),
            form_class=MemberPasswordChangeForm,
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("portal:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            form_class=PasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("portal:password_reset_complete"),
            form_class=MemberSetPasswordForm,
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
