from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .models import NotificationEvent
from .services import preferences_of, preferences_save


@login_required
def preferences(request):
    """Which notices the person gets by email (all of them by default)."""
    if request.method == "POST":
        chosen = {event for event in request.POST.getlist("by_email")
                  if event in NotificationEvent.values}
        preferences_save(user=request.user, by_email=chosen)
        messages.success(request, _("Vos choix de notifications sont enregistrés."))
        return redirect("notifications:preferences")
    current = preferences_of(request.user)
    return render(request, "notifications/preferences.html", {
        "events": [(event, label, current[event]) for event, label in NotificationEvent.choices],
        "recent": request.user.notifications.select_related("case")[:20],
        "has_email": bool(request.user.email),
    })
