"""Sections that other apps add to the member dashboard, without core importing them.

An app registers ``(template_name, context_function)`` in its ``AppConfig.ready``;
``context_function(request)`` returns the template's context, or None to hide
the section. Each function must use a fixed number of queries.
"""

_panels = []


def register(template_name, context_function, order=50):
    """Show ``template_name`` on the dashboard with the context ``context_function(request)``
    returns; panels show by ``order`` (lower first: an outage notice goes on top), then in the
    order they were registered."""
    if all(entry[1:] != (template_name, context_function) for entry in _panels):
        _panels.append((order, template_name, context_function))
        _panels.sort(key=lambda entry: entry[0])


def for_request(request):
    """The panels to show to this request's member: a list of (template_name, context)."""
    shown = []
    for _order, template_name, context_function in _panels:
        context = context_function(request)
        if context is not None:
            shown.append((template_name, context))
    return shown
