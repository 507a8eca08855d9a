from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from cases.permissions import visible_cases

from .models import Attachment


@login_required
def download(request, pk: int):
    attachment = (
        Attachment.objects.filter(pk=pk, case__in=visible_cases(request.user)).first()
    )
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
