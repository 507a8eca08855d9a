"""What the API's serializers share, core's and kinds' alike (no serializer built here: a
kind's serializer imports this module while cases.api is being built from the registry)."""

# The largest primary key the database holds (BigAutoField): a larger one is no case, never
# an integer overflow in the query.
MAX_ID = 2**63 - 1


def too_large_messages(validators) -> dict:
    """Too many digits is too large: the bound's own message (the web form's), not a count."""
    message = validators[-1].message
    return {"max_digits": message, "max_whole_digits": message}
