"""The `annotations` field of the REST API's case detail (cases.api): present only for those
who may process the case; absent (not empty) for the requester and anyone else."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from .selectors import annotations_data, may_read

FIELD_SCHEMA = {
    "type": "object",
    "description": "Annotations privées du centre (absentes pour qui ne traite pas le dossier).",
    "required": ["version", "editable", "updated_at", "updated_by", "fields"],
    "properties": {
        "version": {"type": "integer"},
        "editable": {"type": "boolean"},
        "updated_at": {"type": "string", "format": "date-time", "nullable": True},
        "updated_by": {"type": "string", "nullable": True},
        "fields": {"type": "array", "items": {
            "type": "object",
            "required": ["key", "label", "type", "value"],
            "properties": {
                "key": {"type": "string"}, "label": {"type": "string"},
                "type": {"type": "string"},
                "value": {"nullable": True, "description": "Valeur JSON, null si vide."},
            },
        }},
    },
}


@extend_schema_field(FIELD_SCHEMA)
class PrivateAnnotationsField(serializers.Field):
    """Reads the whole case (source "*"); skipped unless the request's user may process it.
    Not read-only, so that the schema does not list it as always present: the serializer
    using it only ever writes answers."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, case):
        request = self.context.get("request")
        if request is None or not may_read(request.user, case):
            raise SkipField
        return case

    def to_representation(self, case):
        return annotations_data(case)

    def to_internal_value(self, data):
        raise serializers.ValidationError("Lecture seule.")
