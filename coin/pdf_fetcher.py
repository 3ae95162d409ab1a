"""What a PDF may load while WeasyPrint renders it: the project's static files and data: URIs.

WeasyPrint's default fetcher follows any URL it meets (in the HTML, the CSS,
or an SVG image): http(s) requests to any host, any local file. An invoice
shows text typed by members and volunteers, so the renderer gets this fetcher
instead; anything else is refused (WeasyPrint logs it and leaves it out).
WeasyPrint itself (most of a second to import) is imported on the first call of
:func:`project_files_fetcher`, where a PDF is rendered, not at start-up.
"""

from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.apps import apps
from django.conf import settings


def static_roots():
    """The directories whose files a PDF may load: the static directories of the project and apps."""
    roots = [
        Path(entry[1] if isinstance(entry, (list, tuple)) else entry)
        for entry in settings.STATICFILES_DIRS
    ]
    roots += [Path(app.path) / "static" for app in apps.get_app_configs()]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots if root.is_dir()]


def project_files_fetcher():
    """A WeasyPrint URL fetcher that serves data: URIs and files under ``static_roots()`` only."""
    return _fetcher_class()()


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class ProjectFilesFetcher(URLFetcher):
        """A WeasyPrint fetcher that serves data: URIs and files under ``static_roots()`` only."""

        def __init__(self, **kwargs):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
            self.roots = static_roots()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "file":
                if parts.netloc not in ("", "localhost"):
                    raise ValueError(f"Refused (remote file): {url}")
                path = Path(url2pathname(parts.path)).resolve()
                if not any(path.is_relative_to(root) for root in self.roots):
                    raise ValueError(f"Refused (not a static file of the project): {url}")
            elif scheme != "data":
                raise ValueError(f"Refused (only static files and data: URIs): {url}")
            return super().fetch(url, headers)

    return ProjectFilesFetcher
