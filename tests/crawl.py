"""Every URL of the site, made concrete: what the canary crawl and the permission matrix walk.

`routes()` lists every named URL pattern (admin aside: `admin_urls` walks the admin's registry), and
`url_for` fills a route's arguments from samples the test provides. A route the samples do not cover
fails the test that walks it, so a new page cannot slip past the crawl.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Patterns without a name: the home page's redirect and the API's JSON 404 for unknown paths.
UNNAMED = {"", r"api/^(?P<rest>[\s\S]*)$"}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Route(name or "", prefix + str(pattern.pattern))


def routes() -> list[Route]:
    """Every named route outside the admin, once each."""
    seen, result = set(), []
    for route in _walk(get_resolver().url_patterns):
        if route.name.startswith("admin:") or route.pattern.startswith("admin/"):
            continue
        if not route.name:
            assert route.pattern in UNNAMED, f"unnamed URL pattern {route.pattern!r}: name it, so the crawl reaches it"
            continue
        if route.name not in seen:
            seen.add(route.name)
            result.append(route)
    return result


def url_for(route: Route, samples: dict[str, dict | None]) -> str | None:
    """The route with its sample arguments; None for a route the samples say not to fetch."""
    assert route.name in samples, f"{route.name} ({route.pattern}) is not crawled: give it sample arguments"
    kwargs = samples[route.name]
    if kwargs is None:
        return None
    query = kwargs.pop("?", "") if isinstance(kwargs, dict) else ""
    url = reverse(route.name, kwargs=kwargs or None)
    if isinstance(kwargs, dict) and query:
        kwargs["?"] = query
    return url + (f"?{query}" if query else "")


def admin_urls() -> list[str]:
    """The admin's index, and for every registered model its list, its add page and its first row's pages."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{prefix}_change", args=[first.pk]), reverse(f"{prefix}_history", args=[first.pk])]
    return urls
