"""E-form pages for province admins: try any version of a form with the citizens' wizard."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from .exceptions import FormVersionNotFound
from .models import FormVersion
from .selectors import form_version_get
from .wizard import EformWizardView


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (user.is_province_admin or user.is_superuser):
        raise PermissionDenied(_("Trang này chỉ dành cho quản trị cấp tỉnh."))
    return user


class EformPreviewWizard(EformWizardView):
    """The wizard citizens get, for any version (draft or published); the end shows the JSON, saves nothing."""

    submit_label = gettext_lazy("Hoàn tất xem thử")
    allow_restart = True

    def get_version(self) -> FormVersion:
        try:
            return form_version_get(pk=self.kwargs["version_id"])
        except FormVersionNotFound as exc:
            raise Http404(str(exc)) from None

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        context["preview"] = True
        return context

    def on_complete(self, values: dict[str, Any]) -> HttpResponse:
        output = json.dumps(values, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        context = {"version": self.form_version, "form_title": self.form_title(), "output": output}
        return render(self.request, "eforms/preview_result.html", context)


_preview_wizard = EformPreviewWizard.as_view()


@login_required
def form_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    """/quan-tri/bieu-mau/<id>/xem-thu/: province admins and superusers only (403 otherwise)."""
    _admin(request)
    response: HttpResponse = _preview_wizard(request, version_id=version_id)
    return response
