"""The watch the browser tests keep on every page catches what it is there to catch."""

from django.conf import settings


def test_a_style_or_script_the_policy_refuses_and_a_missing_file_are_reported(browse):
    page = browse()
    # A page served with the site's own policy, breaking it the ways a template could.
    page.route(
        "**/probe/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Security-Policy": settings.CONTENT_SECURITY_POLICY},
            content_type="text/html",
            body='<p style="color: red">inline</p><script>document.title = "x"</script>'
            '<link rel="stylesheet" href="/static/coin/missing.css">',
        ),
    )
    page.goto("/probe/")
    page.wait_for_load_state("load")
    reported = "\n".join(browse.problems.entries)
    browse.problems.entries.clear()  # expected here: the test's own teardown must pass
    assert "CSP violation: style-src" in reported
    assert "CSP violation: script-src" in reported
    assert "404" in reported and "missing.css" in reported
