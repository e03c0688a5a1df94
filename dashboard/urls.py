from django.urls import path

from . import export_views, facts, graph_views, views

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
    path("export/graph.graphml", export_views.graph_graphml, name="export_graphml"),
    path("export/graph-nodes.csv", export_views.graph_nodes_csv, name="export_gephi_nodes"),
    path("export/graph-edges.csv", export_views.graph_edges_csv, name="export_gephi_edges"),
    path("export/provenance.jsonld", export_views.prov_jsonld, name="export_prov"),
    path("export/claimreview.jsonld", export_views.claimreview_jsonld, name="export_claimreview"),
]
