"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

from coin.association import association_name


def isp(request):
    """The association's name (its settings, else COIN_ISP_NAME), shown in page titles and headers.

    Read once per page, and only by a page that shows it.
    """
    return {"isp_name": SimpleLazyObject(association_name)}
