from django.urls import path

from . import views

app_name = "interchange"
urlpatterns = [
    path("export/claims.csv", views.claims_csv, name="export_csv"),
    path("export/claims.jsonl", views.claims_jsonl, name="export_jsonl"),
    path("export/claims.jsonld", views.claims_jsonld, name="export_jsonld"),
]
