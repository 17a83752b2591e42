"""Organization settings: Client Management (R-REG-6) and the invitation template (R-REG-7)."""

from __future__ import annotations

from tests.server.test_clients import API, audits


def test_r_reg_6_org_admin_turns_manual_approval_on_and_it_is_audited(demo_app, demo_api, as_user):
    admin = as_user("olivia.admin")
    org = demo_api.get(f"{API}/organization", headers=admin).json()
    assert org["manual_approval"] is False
    assert org["portal_url"] == "http://portal.test/o/riverside/"
    r = demo_api.patch(f"{API}/organization", headers=admin, json={"manual_approval": True})
    assert r.status_code == 200 and r.json()["manual_approval"] is True
    [event] = audits(demo_app, "organization_updated")
    assert event.detail == {"manual_approval": True}
    bad = demo_api.patch(f"{API}/organization", headers=admin, json={"manual_approval": "maybe"})
    assert bad.status_code == 422


def test_r_reg_7_invitation_carries_the_portal_url(demo_api, as_user):
    r = demo_api.get(f"{API}/organization/invitation", headers=as_user("nurse.kim"))
    assert r.status_code == 200
    invite = r.json()
    assert invite["portal_url"] in invite["body"]
    assert "Register link in the upper right corner" in invite["body"]
    assert invite["subject"] == "Join Riverside Care on VTConnect Care"
    assert "Jin Kim" in invite["body"]  # signed by the staff member who copies it
