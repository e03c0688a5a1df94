from django.urls import path

from . import views

app_name = "suggest"
urlpatterns = [
    path("articles/<slug:slug>/suggestions/", views.article_suggestions, name="article"),
    path("articles/<slug:slug>/suggestions/accept/", views.accept, name="accept"),
    path("articles/<slug:slug>/suggestions/dismiss/", views.dismiss, name="dismiss"),
    path("articles/<slug:slug>/suggestions/facts/", views.article_fact_options, name="fact_options"),
]
