"""Downloads of tagged claims: CSV, JSON Lines and W3C Web Annotation, with the dashboard's filters."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from annotate.masking import mask_for
from annotate.models import Claim
from config.downloads import token_or_session

from . import copying, export

TRUE = {"1", "true", "yes", "on"}


def _export(request, chunks_of, *, content_type: str, extension: str):
    """Stream the claims this user may see that pass the query's filters, or say in a 400 which filter is wrong.

    A download that silently ignored a filter would look complete and be wrong, so nothing is sent then.
    """
    selection = export.select(request.GET, Claim.objects.visible_to(request.user), user=request.user)
    if selection.errors:
        return HttpResponse("\n".join(selection.errors) + "\n", status=400, content_type="text/plain; charset=utf-8")
    chunks = chunks_of(selection, mask_for(request.user))
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(extension)}"'
    return response


@token_or_session
@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def claims_csv(request):
    """One row per claim; ?bom=1 starts the file with a byte-order mark, which Excel needs to read UTF-8."""
    bom = request.GET.get("bom", "").lower() in TRUE

    def chunks(selection, mask):
        if copying.available(selection.claims):  # PostgreSQL writes it: the same bytes, faster
            return copying.csv_chunks(selection.claims, mask=mask, bom=bom)
        return export.csv_chunks(export.csv_lines(selection.claims, mask=mask), bom=bom)

    return _export(
        request,
        chunks,
        content_type="text/csv; charset=utf-8; header=present",
        extension="csv",
    )


@token_or_session
@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def claims_jsonl(request):
    """The CSV's records as JSON Lines."""

    def chunks(selection, mask):
        if copying.available(selection.claims):
            return copying.jsonl_chunks(selection.claims, mask=mask)
        return export.jsonl_chunks(export.rows(selection.claims, mask=mask))

    return _export(
        request,
        chunks,
        content_type="application/jsonl; charset=utf-8",
        extension="jsonl",
    )


@token_or_session
@require_GET
@permission_required("annotate.export_claims", raise_exception=True)
def claims_jsonld(request):
    """The claims as a W3C Web Annotation collection in JSON-LD."""
    base_url = request.build_absolute_uri("/").rstrip("/")

    def chunks(selection, mask):
        items = export.annotations(selection.claims, mask=mask, base_url=base_url)
        return export.jsonld_chunks(items, base_url=base_url, query=selection.query)

    return _export(
        request,
        chunks,
        content_type='application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
        extension="jsonld",
    )
