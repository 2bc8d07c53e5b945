"""The user document ``users/{uid}``: BEM's whole default shape as pydantic models.

Dump with ``doc.dump()`` to get BEM's camelCase keys. Unknown keys a project adds are kept.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.timestamps import Stamp

SubscriptionStatus = Literal["active", "suspended", "cancelled"]


class DocModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    def dump(self) -> dict:
        return self.model_dump(by_alias=True, mode="json")


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
    admin: bool = False
    beta_tester: bool = False
    developer: bool = False


class Flags(DocModel):
    signup_processed: bool = False


class Affiliate(DocModel):
    code: str | None = None
    referrals: list[dict] = []


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
    user_agent: str | None = None
    language: str | None = None
    platform: str | None = None
    mobile: bool | None = None


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


class AttributionEntry(DocModel):
    code: str | None = None
    tags: dict = {}
    timestamp: str | None = None
    url: str | None = None
    page: str | None = None


class Attribution(DocModel):
    affiliate: AttributionEntry = AttributionEntry()
    utm: AttributionEntry = AttributionEntry()


class ConsentEntry(DocModel):
    status: Literal["granted", "denied"] | None = None
    date: Stamp = Stamp()
    source: str | None = None


class Consent(DocModel):
    legal: ConsentEntry = ConsentEntry()
    marketing: ConsentEntry = ConsentEntry()


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
    oauth2: dict = {}
    attribution: Attribution = Attribution()
    consent: Consent = Consent()
