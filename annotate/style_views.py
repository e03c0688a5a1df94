from django.http import HttpResponse
from django.views.decorators.http import require_GET

from . import kind_styles

FOREVER = "public, max-age=31536000, immutable"


@require_GET
def kinds_css(request):
    """The kinds' colours as classes. Nothing in it is personal, so any cache may keep it: for good under
    the URL of the current version, not at all under an outdated one (which still gets today's colours)."""
    kinds = kind_styles.current()
    response = HttpResponse(kind_styles.stylesheet(kinds), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = FOREVER if request.GET.get("v") == kind_styles.version(kinds) else "no-cache"
    return response
