"""Who may reach the site at all: a signed-in account that holds one of the roles.

Django's LoginRequiredMiddleware sends anonymous visitors to the sign-in page. This middleware, after
it, turns away signed-in accounts that are in neither the reviewer nor the editor group: taking someone
out of their group must close every page to them at once, not only the API. Views that must answer
anyway (signing out, the API, which refuses in JSON itself) are marked with `role_not_required`.
"""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.shortcuts import render

ROLE_PERMISSION = "annotate.view_claim"  # every role holds it; an account without it has no role


def role_not_required(view):
    """Mark a view that answers accounts without a role (it checks permissions itself, or needs none)."""
    view.role_required = False
    return view


def has_role(user) -> bool:
    return user.is_authenticated and user.has_perm(ROLE_PERMISSION)


class RoleRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or not getattr(view_func, "role_required", True):
            return None
        if not request.user.is_authenticated or has_role(request.user):
            return None
        return render(request, "no_role.html", status=403)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked on the server too.

    AuthenticationForm sets the limit on the widget only; a longer name reached the sign-in lockout's
    records, whose column is shorter, and failed there.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
