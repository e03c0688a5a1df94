from django.urls import path

from . import reading, registry, views

app_name = "annotate"
urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/claims/", views.article_claims, name="article_claims"),
    path("articles/<slug:slug>/passages/", reading.article_passages, name="article_passages"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/mine/", views.my_claims, name="my_claims"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim_delete"),
    path("sources/", registry.source_list, name="source_list"),
    path("sources/<int:pk>/", registry.source_edit, name="source_edit"),
    path("sources/<int:pk>/merge/", registry.source_merge, name="source_merge"),
    path("suggest/sources/", registry.source_suggest, name="source_suggest"),
    path("suggest/facts/", registry.fact_suggest, name="fact_suggest"),
]
