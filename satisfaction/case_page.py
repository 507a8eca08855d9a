"""What satisfaction adds to the case page (cases/kinds.py): the rating form for the one
who may rate, the rating once given (read-only) for everyone who sees the case."""

from django.utils.translation import gettext_lazy as _

from cases.kinds import CasePagePart
from cases.workflow import State

from .forms import RatingForm
from .models import Rating
from .services import may_rate

RATE_LABEL = _("Noter le service")


def rating_part(case, user, transitions) -> dict | None:
    if case.state != State.COMPLETED:
        return None
    rating = Rating.objects.filter(case=case).first()
    if rating is not None:
        return {"rating": rating, "rating_is_mine": rating.rated_by_id == user.pk}
    if may_rate(user, case):
        # The actions panel accounts for every action the page offers.
        return {"rating_form": RatingForm(),
                "case_links": [{"label": RATE_LABEL, "url": "#satisfaction",
                                "icon": "fr-icon-star-line"}]}
    return None


RATING = CasePagePart("satisfaction/_rating.html", rating_part, slot="follow_up")
