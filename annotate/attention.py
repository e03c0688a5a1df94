"""What waits for the signed-in reviewer: their claims an editor sent back for changes (the count in the
navigation, beside "My claims")."""

from django.utils.functional import SimpleLazyObject

from .models import Claim


def changes_requested(user) -> int:
    """How many of `user`'s claims an editor has sent back for changes."""
    return Claim.objects.filter(annotator=user, status=Claim.Status.CHANGES_REQUESTED).count()


def context(request) -> dict:
    """The count for the navigation, computed only if a page shows it (error pages rendered without a
    request have no navigation)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("annotate.add_claim"):
        return {}
    return {"my_attention": SimpleLazyObject(lambda: changes_requested(user))}
