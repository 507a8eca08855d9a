"""What satisfaction adds to the case page (cases/kinds.py): the rating form for the one
who may rate, the rating once given (read-only) for everyone who sees the case."""

from cases.kinds import CasePagePart
from cases.workflow import State

from .forms import RatingForm
from .models import Rating
from .services import may_rate


def rating_part(case, user, transitions) -> dict | None:
    if case.state != State.COMPLETED:
        return None
    rating = Rating.objects.filter(case=case).first()
    if rating is not None:
        return {"rating": rating, "rating_is_mine": rating.rated_by_id == user.pk}
    if may_rate(user, case):
        return {"rating_form": RatingForm()}
    return None


RATING = CasePagePart("satisfaction/_rating.html", rating_part, slot="follow_up")
