from django.urls import path

from . import export_views, review_views, views

app_name = "annotate"
urlpatterns = [
    path("articles/", views.article_list, name="article_list"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/claims/", views.article_claims, name="article_claims"),
    path("articles/<slug:slug>/agreement/", review_views.article_agreement, name="article_agreement"),
    path("articles/<slug:slug>/independent/", review_views.article_independent, name="article_independent"),
    path("agreement/", review_views.agreement_overview, name="agreement"),
    path("review/", review_views.queue, name="review"),
    path("review/<int:pk>/", review_views.decide, name="review_decide"),
    path("review/<int:pk>/skip/", review_views.skip, name="review_skip"),
    path("review/unskip/", review_views.unskip, name="review_unskip"),
    path("review/undo/", review_views.undo, name="review_undo"),
    path("review/accept/", review_views.bulk_accept, name="review_bulk_accept"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", review_views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/delete/", views.claim_delete, name="claim_delete"),
    path("facts/", views.fact_list, name="fact_list"),
    path("facts/<slug:slug>/", views.fact_detail, name="fact_detail"),
    path("facts/<slug:slug>/conflicts/", views.fact_conflict, name="fact_conflict"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/merge/", views.source_merge, name="source_merge"),
    path("suggest/sources/", views.source_suggest, name="source_suggest"),
    path("suggest/facts/", views.fact_suggest, name="fact_suggest"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard.json", views.dashboard_json, name="dashboard_json"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("export/claims.csv", export_views.claims_csv, name="export_csv"),
    path("export/claims.jsonl", export_views.claims_jsonl, name="export_jsonl"),
    path("export/claims.jsonld", export_views.claims_jsonld, name="export_jsonld"),
]
