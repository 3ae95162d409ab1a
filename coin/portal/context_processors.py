"""Template context shared by every page."""

from django.conf import settings


def isp(request):
    """The association's name, shown in page titles and headers."""
    return {"isp_name": settings.COIN_ISP_NAME}
