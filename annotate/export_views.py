"""Downloads of tagged claims: CSV, JSON Lines and W3C Web Annotation, with the dashboard's filters."""

from django.http import HttpResponse


def claims_csv(request):
    return HttpResponse(status=501)


def claims_jsonl(request):
    return HttpResponse(status=501)


def claims_jsonld(request):
    return HttpResponse(status=501)
