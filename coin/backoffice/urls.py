"""The back office's URLs, all built from the registry (see registry.register_page)."""

from . import registry

app_name = "backoffice"
urlpatterns = registry.urlpatterns()
