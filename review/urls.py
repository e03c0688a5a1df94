from django.urls import path

from . import agreement_views, views

app_name = "review"
urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:pk>/", views.decide, name="decide"),
    path("review/<int:pk>/skip/", views.skip, name="skip"),
    path("review/unskip/", views.unskip, name="unskip"),
    path("review/undo/", views.undo, name="undo"),
    path("review/accept/", views.bulk_accept, name="bulk_accept"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("agreement/", agreement_views.agreement_overview, name="agreement"),
    path("articles/<slug:slug>/agreement/", agreement_views.article_agreement, name="article_agreement"),
    path("articles/<slug:slug>/independent/", agreement_views.article_independent, name="article_independent"),
]
