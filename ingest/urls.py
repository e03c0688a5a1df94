from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("articles/add/", views.add, name="add"),
    path("articles/add/save/", views.save, name="save"),
    path("articles/<slug:slug>/revisions/", views.revisions, name="revisions"),
    path("articles/<slug:slug>/revisions/<int:number>/", views.revision, name="revision"),
]
