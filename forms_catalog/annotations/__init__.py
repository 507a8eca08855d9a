"""Private annotations: fields an editor defines on a catalogue form for the centre side, that
the centre's agents fill while processing a case and that the requester never sees.

- ..annotation_schema: the annotation schema of a form page (the catalogue's FieldStream and
  build_schema, reused as they are), file fields refused;
- selectors.py: who may read them, what a case's annotations are, as rows, text, JSON;
- services.py: saving them (optimistic locking, journal in AnnotationChange);
- forms.py, views.py, case_page.py: the case page's panel for the centre;
- api.py: the `annotations` field of the REST API's case detail, for those who process it.

Stored in forms_catalog.models.CaseAnnotations, never in Case.extra (what the requester reads),
and never in CaseEvent (the history the requester reads).
"""
