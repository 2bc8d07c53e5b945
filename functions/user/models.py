"""The user document ``users/{uid}``: BEM's whole default shape (``helpers/user.js`` SCHEMA) as pydantic models.

Dump with ``doc.dump()`` to get BEM's camelCase keys. Unknown keys a project adds are kept.
Stored documents are read with ``UserDoc.from_stored`` (``functions.user.tolerant``), which never
fails: a field of the wrong type falls back to its default for the request and is logged.

What the framework decides on is typed strictly, so a bad value cannot grant anything:
``roles.*`` are ``StrictBool`` (only ``true`` makes an admin, not ``"yes"``), and the subscription
status is one of BEM's three values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from pydantic.alias_generators import to_camel

from functions.timestamps import Stamp

SubscriptionStatus = Literal["active", "suspended", "cancelled"]
ConsentStatus = str
"""``granted`` or ``revoked`` (BEM keeps it a string so later states do not break the schema)."""
CONSENT_SOURCES = ("signup", "account", "admin", "imported", "sendgrid", "beehiiv")


class DocModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")

    @classmethod
    def from_stored(cls, data: Any, *, uid: str | None = None, path: str = "") -> Any:
        """Read a stored (maybe partial, maybe malformed) document: never raises."""
        from functions.user.tolerant import read_tolerantly

        return read_tolerantly(cls, data, uid=uid, prefix=path)


class AuthInfo(DocModel):
    uid: str | None = None
    email: str | None = None
    temporary: bool = False


class ProductRef(DocModel):
    id: str = "basic"
    name: str = "Basic"


class TrialInfo(DocModel):
    claimed: bool = False
    expires: Stamp = Stamp()


class Cancellation(DocModel):
    pending: bool = False
    date: Stamp = Stamp()


class EventRef(DocModel):
    name: str | None = None
    id: str | None = None


class UpdatedBy(DocModel):
    event: EventRef = EventRef()
    date: Stamp = Stamp()


class PaymentInfo(DocModel):
    processor: str | None = None
    order_id: str | None = None
    resource_id: str | None = None
    frequency: str | None = None
    price: float = 0
    start_date: Stamp = Stamp()
    updated_by: UpdatedBy = UpdatedBy()


class Subscription(DocModel):
    """The unified subscription every processor converts into (``users/{uid}.subscription``)."""

    product: ProductRef = ProductRef()
    status: SubscriptionStatus = "active"
    expires: Stamp = Stamp()
    trial: TrialInfo = TrialInfo()
    cancellation: Cancellation = Cancellation()
    payment: PaymentInfo = PaymentInfo()


class Roles(DocModel):
    admin: StrictBool = False
    beta_tester: StrictBool = False
    developer: StrictBool = False


class Flags(DocModel):
    signup_processed: bool = False


class Affiliate(DocModel):
    code: str | None = None
    referrals: list[Any] = []


class Metadata(DocModel):
    created: Stamp = Stamp()
    updated: Stamp = Stamp()


class Geolocation(DocModel):
    ip: str | None = None
    continent: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float = 0
    longitude: float = 0


class Client(DocModel):
    language: str | None = None
    mobile: bool | None = False
    device: str | None = None
    platform: str | None = None
    browser: str | None = None
    vendor: str | None = None
    runtime: str | None = None
    user_agent: str | None = None
    url: str | None = None


class Activity(DocModel):
    geolocation: Geolocation = Geolocation()
    client: Client = Client()


class ApiKeys(DocModel):
    client_id: str | None = None
    private_key: str | None = None


class LastUse(DocModel):
    id: str | None = None
    timestamp: str | None = None
    timestamp_unix: int = Field(default=0, alias="timestampUNIX")


class UsageMetric(DocModel):
    monthly: int = 0
    daily: int = 0
    total: int = 0
    last: LastUse = LastUse()


class Name(DocModel):
    first: str | None = None
    last: str | None = None


class Company(DocModel):
    name: str | None = None
    position: str | None = None


class Telephone(DocModel):
    country_code: int = 0
    national: int = 0


class Location(DocModel):
    country: str | None = None
    region: str | None = None
    city: str | None = None


class Personal(DocModel):
    birthday: Stamp = Stamp()
    gender: str | None = None
    location: Location = Location()
    name: Name = Name()
    company: Company = Company()
    telephone: Telephone = Telephone()


class AffiliateAttribution(DocModel):
    code: str | None = None
    timestamp: str | None = None
    url: str | None = None
    page: str | None = None


class UtmAttribution(DocModel):
    tags: dict[str, Any] = {}
    timestamp: str | None = None
    url: str | None = None
    page: str | None = None


class Attribution(DocModel):
    affiliate: AffiliateAttribution = AffiliateAttribution()
    utm: UtmAttribution = UtmAttribution()


class ConsentEvent(DocModel):
    """When and how a consent was granted or revoked (nulls at the leaves when it never was)."""

    timestamp: str | None = None
    timestamp_unix: int | None = Field(default=None, alias="timestampUNIX")
    source: str | None = None
    ip: str | None = None
    text: str | None = None


class LegalConsent(DocModel):
    """Legal consent has no ``revokedAt``: revoking it means deleting the account."""

    status: ConsentStatus = "revoked"
    granted_at: ConsentEvent = ConsentEvent()

    @property
    def granted(self) -> bool:
        return self.status == "granted"


class MarketingConsent(DocModel):
    status: ConsentStatus = "revoked"
    granted_at: ConsentEvent = ConsentEvent()
    revoked_at: ConsentEvent = ConsentEvent()

    @property
    def granted(self) -> bool:
        return self.status == "granted"


class Consent(DocModel):
    legal: LegalConsent = LegalConsent()
    marketing: MarketingConsent = MarketingConsent()


class UserDoc(DocModel):
    auth: AuthInfo = AuthInfo()
    subscription: Subscription = Subscription()
    roles: Roles = Roles()
    flags: Flags = Flags()
    affiliate: Affiliate = Affiliate()
    metadata: Metadata = Metadata()
    activity: Activity = Activity()
    api: ApiKeys = ApiKeys()
    usage: dict[str, UsageMetric] = {}
    personal: Personal = Personal()
    oauth2: dict[str, Any] = {}
    attribution: Attribution = Attribution()
    consent: Consent = Consent()
