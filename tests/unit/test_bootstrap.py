"""main.py: importing it registers the functions offline and pulls in no heavy SDK."""

import json
import subprocess
import sys

PROBE = """
import json, sys
import main
HEAVY = ("stripe", "openai", "anthropic", "google.cloud.logging", "google.cloud.firestore", "firebase_admin.messaging",
         "sendgrid", "mjml", "markdown_it", "functions.email", "chargebee", "feedparser",
         "functions.marketing", "disposable_email_domains", "functions.payments.processors.paypal")
heavy = [m for m in HEAVY if m in sys.modules]
exports = {name: fn.__firebase_endpoint__ for name, fn in vars(main).items() if hasattr(fn, "__firebase_endpoint__")}
print(json.dumps({"heavy": heavy, "names": sorted(exports),
                  "api": {"region": exports["bm_api"].region, "timeout": exports["bm_api"].timeoutSeconds,
                          "memory": exports["bm_api"].availableMemoryMb, "https": exports["bm_api"].httpsTrigger is not None}}))
"""


def _probe(bem_root, env_extra=None):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root), **(env_extra or {})}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_registers_bm_api_without_heavy_sdks(bem_root):
    result = _probe(bem_root)
    assert result["heavy"] == []
    assert "bm_api" in result["names"]
    assert result["api"] == {"region": ["us-central1"], "timeout": 300, "memory": 256, "https": True}


MANIFEST = """
import json, yaml
from firebase_functions.private import serving
print(json.dumps(yaml.safe_load(serving.functions_as_yaml(serving.get_functions()))["endpoints"]))
"""


def test_manifest_firebase_tools_reads(bem_root):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root)}
    out = subprocess.run([sys.executable, "-c", MANIFEST], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    endpoints = json.loads(out.stdout.strip().splitlines()[-1])
    assert sorted(endpoints) == [
        "bm_api", "bm_authBeforeCreate", "bm_authBeforeSignIn", "bm_authOnCreate", "bm_authOnDelete",
        "bm_cronDaily", "bm_cronFrequent", "bm_notificationsOnWrite", "bm_paymentsDisputeOnWrite",
        "bm_paymentsWebhookOnWrite",
    ]
    assert all(e["region"] == ["us-central1"] and e["availableMemoryMb"] == 256 for e in endpoints.values())
    assert endpoints["bm_cronDaily"]["scheduleTrigger"] == {"retryConfig": {}, "schedule": "0 0 * * *", "timeZone": "UTC"}
    assert endpoints["bm_cronFrequent"]["scheduleTrigger"]["schedule"] == "every 10 minutes"
    assert endpoints["bm_cronFrequent"]["timeoutSeconds"] == 540
    created = endpoints["bm_authOnCreate"]["eventTrigger"]
    assert created["eventType"] == "google.firebase.auth.user.v2.created" and "channel" not in created
    assert endpoints["bm_authOnDelete"]["eventTrigger"]["eventType"] == "google.firebase.auth.user.v2.deleted"
    assert endpoints["bm_authBeforeCreate"]["blockingTrigger"]["eventType"].endswith("user.beforeCreate")
    webhook = endpoints["bm_paymentsWebhookOnWrite"]["eventTrigger"]
    assert webhook["eventFilterPathPatterns"] == {"document": "payments-webhooks/{eventId}"}
    dispute = endpoints["bm_paymentsDisputeOnWrite"]
    assert dispute["eventTrigger"]["eventFilterPathPatterns"] == {"document": "payments-disputes/{alertId}"}
    assert dispute["timeoutSeconds"] == 60
    notifications = endpoints["bm_notificationsOnWrite"]
    assert notifications["eventTrigger"]["eventFilterPathPatterns"] == {"document": "notifications/{token}"}
    assert notifications["eventTrigger"]["eventType"] == "google.cloud.firestore.document.v1.written"
    assert notifications["timeoutSeconds"] == 60


def test_serving_instance_exports_only_its_target(bem_root):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root), "FUNCTION_TARGET": "bm_api"}
    code = "import sys, main; print(sorted(n for n in vars(main) if n.startswith('bm_')), 'flask_cors' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['bm_api'] False"


def test_mgr_logs_imports_google_cloud_logging_only_when_it_reads(bem_root):
    probe = (
        "import sys, functions.logs_reader, functions.cli.logs_cmd, functions.cli;"
        "functions.cli._register();"
        "print('google.cloud.logging' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root)}
    out = subprocess.run([sys.executable, "-c", probe], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


EMAIL_PROBE = """
import json, os, sys
import main
manager = main.manager
sdk = lambda: "sendgrid" in sys.modules
steps = {"start": sdk()}
manager.email.send(to="ada@example.org", subject="Hi")          # testing without a key: the local mailbox
steps["mailbox send"] = sdk()
os.environ.update(BEM_EMAIL_PROVIDER="sendgrid", SENDGRID_API_KEY="SG.x", SENDGRID_API_HOST="http://127.0.0.1:9")
manager.email.provider()                                         # the first SendGrid send loads the SDK
steps["sendgrid provider"] = sdk()
print(json.dumps(steps))
"""


def test_the_sendgrid_sdk_is_imported_on_the_first_sendgrid_send_only(bem_root):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root), "BEM_TESTING": "true"}
    out = subprocess.run([sys.executable, "-c", EMAIL_PROBE], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"start": False, "mailbox send": False, "sendgrid provider": True}


COLD_REQUEST = """
import json, sys
import main
from functions.wsgi import api_app
response = api_app(main.manager).test_client().get("/backend-manager/test/health")
main.manager.ai  # the AI library itself is cheap; its SDKs load on the first AI request
main.manager.notifications  # so is the notifications library; Messaging loads on the first send
from functions.payments.processors import find_processor
find_processor("chargebee")  # the processor module is light; the chargebee SDK loads on its first API call
heavy = [m for m in ("openai", "anthropic", "jsonschema", "stripe", "firebase_admin.messaging", "sendgrid", "mjml",
                     "chargebee", "functions.payments.processors.paypal") if m in sys.modules]
print(json.dumps({"status": response.status_code, "heavy": heavy}))
"""


def test_a_bm_api_request_imports_no_ai_sdk(bem_root):
    env = {"PATH": "/usr/bin:/bin", "BEM_FIRESTORE": "memory", "HOME": str(bem_root), "BEM_TESTING": "true"}
    out = subprocess.run([sys.executable, "-c", COLD_REQUEST], cwd=bem_root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"status": 200, "heavy": []}
