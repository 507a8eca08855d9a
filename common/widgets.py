"""Form widgets shared by the portal's pages."""

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes: ` name="value"`, the bare name for True,
    nothing for False or None."""
    return mark_safe("".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items() if value is not False and value is not None))


class LeanSelect(forms.Select):
    """The same <select> as Django's, written in Python: rendering a template per option
    made the queue's five filter lists cost ~13 ms of its page (bench/README.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"],
                             _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(format_html('<option value="{}"{}>{}</option>', option["value"],
                                     _attributes(option["attrs"]), option["label"])
                         for option in options)
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("\n".join(parts))
