"""The forms of the admissions actions; each one feeds one service, never a model save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coin.backoffice.forms import ActionForm, DateInput
from coin.members import applications
from coin.members.choices import MEMBER_STATUS_TRANSITIONS, MemberStatus
from coin.members.models import Member
from coin.members.services import VOLUNTEER_FIELDS
from coin.offers.models import Offer


class AdmitForm(ActionForm):
    """The day of admission, and which of the offers asked for to subscribe the member to."""

    on = forms.DateField(
        label=_("member since"),
        required=False,
        widget=DateInput,
        help_text=_("Today if left empty."),
    )
    offers = forms.ModelMultipleChoiceField(
        label=_("subscribe to the offers asked for"),
        queryset=Offer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "From the day of admission, at the offer's price (the suggested one for pay what "
            "you want): change it afterwards if the member chose another."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        asked = applications.offers_asked_for(self.target)
        if asked.exists():
            self.fields["offers"].queryset = asked
            self.fields["offers"].initial = list(asked)
        else:
            del self.fields["offers"]


class ChangeStatusForm(ActionForm):
    status = forms.ChoiceField(label=_("new status"))
    on = forms.DateField(
        label=_("member since (when readmitting)"),
        required=False,
        widget=DateInput,
        help_text=_("Today if left empty."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the moves the service allows; it refuses any other anyway.
        allowed = MEMBER_STATUS_TRANSITIONS.get(MemberStatus(self.target.status), set())
        self.fields["status"].choices = [(s.value, s.label) for s in MemberStatus if s in allowed]


class SubscribeForm(ActionForm):
    offer = forms.ModelChoiceField(
        label=_("offer"), queryset=Offer.objects.filter(is_available=True)
    )
    starts_on = forms.DateField(
        label=_("starts on"), required=False, widget=DateInput, help_text=_("Today if left empty.")
    )
    monthly_price = forms.DecimalField(
        label=_("monthly price"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("The offer's price if left empty."),
    )
    ends_on = forms.DateField(label=_("ends on"), required=False, widget=DateInput)
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea
    )


class EndSubscriptionForm(ActionForm):
    ends_on = forms.DateField(
        label=_("last day of service"),
        required=False,
        widget=DateInput,
        help_text=_("Today if left empty."),
    )


# What the record form shows: the fields update_member accepts, less the account switch
# (blocking an account deserves its own action) and the username (the member's login).
RECORD_FIELDS = tuple(name for name in VOLUNTEER_FIELDS if name not in ("username", "is_active"))


class MemberRecordForm(ActionForm):
    """The member's record, its fields taken from the model (labels, lengths, choices).

    A plain form: the values go to ``members.services.update_member``, which
    validates the whole record and asks the member to confirm a new e-mail address.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in forms.fields_for_model(Member, fields=RECORD_FIELDS).items():
            self.fields[name] = field
        if not self.is_bound:
            self.initial = forms.model_to_dict(self.target, fields=RECORD_FIELDS)
