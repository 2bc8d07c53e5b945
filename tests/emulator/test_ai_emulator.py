"""An AI-backed route end to end in the Functions emulator: ``mgr test`` starts the functions with
``BEM_AI_PROVIDER=test``, so admin/infer-contact answers from the scripted ``test`` provider."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.emulator

SCRIPTED = "\"[[reply:{firstName:'grace',lastName:'hopper',company:'navy',confidence:0.8}]]\"@example.com"


def test_admin_infer_contact_through_the_functions_emulator(bm):
    response = bm.as_("admin").post("admin/infer-contact", {"emails": [SCRIPTED, "plain@example.com"]})

    assert response.status == 200, response.text
    scripted, plain = response.json["results"]
    assert scripted == {"email": SCRIPTED, "firstName": "Grace", "lastName": "Hopper", "company": "Navy",
                        "confidence": 0.8, "method": "ai"}
    assert plain == {"email": "plain@example.com", "firstName": "", "lastName": "", "company": "", "confidence": 0, "method": "none"}


def test_admin_infer_contact_refuses_non_admins(bm):
    assert bm.as_("basic").post("admin/infer-contact", {"email": "ada@example.com"}).status == 403
