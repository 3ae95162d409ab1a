"""Forms of the federation's back-office pages (plain forms; the services decide)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm, DateInput

from .choices import Technology
from .models import IspProfile
from .validators import parse_geojson

PLAIN_PROFILE_FIELDS = [
    "name",
    "shortname",
    "description",
    "email",
    "website",
    "logo_url",
    "main_mailing_list",
    "creation_date",
    "ffdn_member_since",
    "progress_status",
    "street_address",
    "extended_address",
    "postal_code",
    "locality",
    "region",
    "country_name",
    "latitude",
    "longitude",
    "finance_sharing",
]
MAX_TEXT = 10_000


def confirm(label):
    return forms.BooleanField(
        label=label, required=True, error_messages={"required": _("Tick the box to confirm.")}
    )


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"  # a web address typed without its scheme
    return model_field.formfield(**kwargs)


class ProfileForm(ActionForm):
    """The ISP's description; other websites and chat rooms one per line."""

    other_websites = forms.CharField(
        label=_("other websites"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: a name, '=', the URL (wiki = https://wiki.example.org)."),
    )
    chatrooms = forms.CharField(
        label=_("chat rooms"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One URI per line (irc://irc.example.net/#isp, xmpp:room@example.net?join)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(
            IspProfile, fields=PLAIN_PROFILE_FIELDS, formfield_callback=_formfield
        )
        for name in ("creation_date", "ffdn_member_since"):
            fields[name].widget = DateInput()
        self.fields = {**fields, **self.fields}
        self.order_fields(PLAIN_PROFILE_FIELDS[:9] + ["other_websites", "chatrooms"])
        profile = IspProfile.load()
        if profile is not None and not self.is_bound:
            self.initial = forms.model_to_dict(profile, fields=PLAIN_PROFILE_FIELDS)
            self.initial["other_websites"] = "\n".join(
                f"{name} = {url}" for name, url in profile.other_websites.items()
            )
            self.initial["chatrooms"] = "\n".join(profile.chatrooms)

    def clean_other_websites(self):
        websites = {}
        for number, line in enumerate(self.cleaned_data["other_websites"].splitlines(), 1):
            if not line.strip():
                continue
            name, separator, url = line.partition("=")
            if not separator or not name.strip() or not url.strip():
                raise ValidationError(
                    _("Line %(n)s: write a name, '=', then the URL.") % {"n": number}
                )
            websites[name.strip()] = url.strip()
        return websites

    def clean_chatrooms(self):
        return [
            line.strip() for line in self.cleaned_data["chatrooms"].splitlines() if line.strip()
        ]


class AreaForm(ActionForm):
    name = forms.CharField(label=_("name"), max_length=100)
    technologies = forms.MultipleChoiceField(
        label=_("technologies"), choices=Technology.choices, widget=forms.CheckboxSelectMultiple
    )
    shape = forms.CharField(
        label=_("area (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Optional: a GeoJSON Polygon or MultiPolygon (longitude, latitude), at most 256 KB."
        ),
    )
    position = forms.IntegerField(label=_("position"), min_value=0, max_value=1000, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.target
        if area is not None and not self.is_bound:
            self.initial = {
                "name": area.name,
                "technologies": area.technologies,
                "shape": "" if area.area is None else forms.JSONField().prepare_value(area.area),
                "position": area.position,
            }

    def clean_shape(self):
        return parse_geojson(self.cleaned_data["shape"])


class ConfirmForm(ActionForm):
    confirm = confirm(_("I confirm"))


class ReportForm(ActionForm):
    period_start = forms.DateField(label=_("from"), widget=DateInput())
    period_end = forms.DateField(label=_("until"), widget=DateInput())


class PartnerForm(ActionForm):
    name = forms.CharField(label=_("name"), max_length=100)
    isp_json_url = forms.URLField(
        label=_("URL of its isp.json"), max_length=500, assume_scheme="https"
    )
    reports_url = forms.URLField(
        label=_("URL of its latest published report"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Optional. An ISP running this system publishes it at /federation/reports/latest.json."
        ),
    )
    active = forms.BooleanField(label=_("fetch its documents"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partner = self.target
        if partner is not None and not self.is_bound:
            urls = dict(partner.sources.values_list("kind", "url"))
            self.initial = {
                "name": partner.name,
                "isp_json_url": urls.get("isp", ""),
                "reports_url": urls.get("report", ""),
                "active": partner.active,
            }
