from django.urls import path

from . import facts, graph_views, views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.dashboard_view, name="index"),
    path("dashboard.json", views.dashboard_json, name="json"),
    path("dashboard.csv", views.dashboard_csv, name="csv"),
    path("facts/", facts.fact_list, name="fact_list"),
    path("facts/<slug:slug>/", facts.fact_detail, name="fact_detail"),
    path("facts/<slug:slug>/conflicts/", facts.fact_conflict, name="fact_conflict"),
    path("facts/<slug:slug>/graph/", graph_views.fact_graph, name="fact_graph"),
    path("facts/<slug:slug>/verdict/", facts.fact_verdict, name="fact_verdict"),
    path("graph/", graph_views.story_graph, name="story_graph"),
]
