from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from annotate import style_views
from config.access import SignInForm, role_not_required

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="annotate:article_list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", role_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("admin/", admin.site.urls),
    # Colours only, linked from every page's head: no sign-in needed, as for the static files.
    path("kinds.css", login_not_required(role_not_required(style_views.kinds_css)), name="kinds_css"),
    path("api/", include("api.urls")),
    path("", include("ingest.urls")),  # before annotate: /articles/add/ is not an article
    path("", include("annotate.urls")),
    path("", include("review.urls")),
    path("", include("dashboard.urls")),
    path("", include("interchange.urls")),
    path("", include("suggest.urls")),
]

# A database outage met outside a view still answers 503; anything else gets 500.html.
handler500 = "config.outage.server_error"
