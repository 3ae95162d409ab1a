from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo ISP loader: the one app allowed to import every other (it composes them)."""

    name = "demo"
    verbose_name = "Demo"
