"""BEM's URL scheme: the Hosting emulator rewrites /backend-manager/** (and the OAuth/MCP paths) to bm_api."""

import pytest
import requests

from functions.testing.emulator import emulator_urls

pytestmark = pytest.mark.emulator


@pytest.fixture
def hosting(bem_root):
    urls = emulator_urls(bem_root)
    if urls.hosting is None:
        pytest.skip("the Hosting emulator is not running in this suite (mgr test starts it)")
    return urls.hosting


def test_backend_manager_urls_answer_through_hosting(hosting, accounts):
    health = requests.get(f"{hosting}/backend-manager/test/health", timeout=30)
    assert health.status_code == 200, health.text
    assert health.json()["projectId"] == "demo-bem"
    user = requests.get(f"{hosting}/backend-manager/user", timeout=30,
                        headers={"Authorization": f"Bearer {accounts['basic'].token}"})
    assert user.status_code == 200, user.text
    assert user.json()["user"]["auth"]["uid"] == accounts["basic"].uid


def test_paths_outside_the_rewrites_are_static_hosting(hosting):
    page = requests.get(f"{hosting}/", timeout=30)
    assert page.status_code == 200 and "/backend-manager/" in page.text
    assert requests.get(f"{hosting}/not-an-api-path", timeout=30).status_code == 404
