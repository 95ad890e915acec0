from functools import wraps

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

app_name = "accounts"


def clearing_phone_data(view):
    """Logging out makes the browser forget what the check-in kept on the phone: the attendance list and queue
    (IndexedDB), the cached pages and the service worker."""

    @wraps(view)
    def logout(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return logout


urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", clearing_phone_data(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
]
