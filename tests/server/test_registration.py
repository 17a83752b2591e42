"""Self-registration through the public API: R-REG-1..6, R-CLIENT-4, R-CLIENT-6."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login_headers
from tests.server.test_clients import API, ids, mails, token_of
from vtconnect_care.server.models import Client, Organization, OutboxMail

PATEL_MAIL = "dr_patel@riverside.example"
KIM_MAIL = "nurse_kim@riverside.example"
OLIVIA_MAIL = "olivia_admin@riverside.example"


def form(practitioner: str, **over) -> dict:
    body = {
        "first_name": "Rita",
        "last_name": "Rowe",
        "email": "rita@x.example",
        "date_of_birth": "1979-02-03",
        "username": "rita.rowe",
        "password": "a-good-password",
        "practitioner": practitioner,
    }
    body.update(over)
    return body


def register(api, body, slug="riverside"):
    return api.post(f"{API}/public/orgs/{slug}/register", json=body)


def client_row(app, username):
    with app.state.session_factory() as db:
        c = db.scalar(select(Client).where(Client.username == username))
        return (
            c.status,
            c.email_confirmed,
            [(a.practitioner_id, a.department_id) for a in c.associations],
        )


def all_templates(app) -> list[tuple[str, str]]:
    with app.state.session_factory() as db:
        return [
            (m.to_addr, m.template) for m in db.scalars(select(OutboxMail).order_by(OutboxMail.id))
        ]


def confirm(app, api, email: str = "rita@x.example") -> None:
    """The registrant opens the link in their confirmation email (R-REG-5)."""
    [link] = [m for m in mails(app, email) if m.template == "confirm_email"]
    r = api.post(f"{API}/public/confirm-email", json={"token": token_of(link.links[0])})
    assert r.status_code == 200, r.text


def test_public_info_lists_practitioners_one_department_each(demo_api):
    info = demo_api.get(f"{API}/public/orgs/riverside").json()
    assert info["not_sure_offered"] is True
    labels = [p["label"] for p in info["practitioners"]]
    assert labels == ["Jin Kim", "Priya Patel (Counselling)", "Priya Patel (Physiotherapy)"]
    assert demo_api.get(f"{API}/public/orgs/nowhere").status_code == 404


def test_r_reg_3_picked_practitioner_approved_associated_and_told(demo_app, demo_api):
    i = ids(demo_app)
    r = register(demo_api, form(f"{i['dr.patel']}:{i['Physiotherapy']}"))
    assert r.status_code == 201, r.text
    assert client_row(demo_app, "rita.rowe") == (
        "active",
        False,
        [(i["dr.patel"], i["Physiotherapy"])],
    )
    assert not mails(demo_app, PATEL_MAIL)  # not before the address is confirmed (issue 15)
    confirm(demo_app, demo_api)
    [notice] = mails(demo_app, PATEL_MAIL)  # a Care Coordinator with notifications on
    assert notice.template == "new_client_practitioner" and "Rita Rowe" in notice.subject
    assert notice.links[0].startswith("http://portal.test/portal/clients/")
    assert not mails(demo_app, OLIVIA_MAIL)


def test_r_reg_3_practitioner_without_admin_role_is_not_emailed(demo_app, demo_api):
    i = ids(demo_app)
    assert register(demo_api, form(f"{i['nurse.kim']}:{i['Physiotherapy']}")).status_code == 201
    confirm(demo_app, demo_api)
    assert not mails(demo_app, KIM_MAIL)


def test_r_reg_3_practitioner_with_notifications_off_is_not_emailed(demo_app, demo_api, as_user):
    i = ids(demo_app)
    demo_api.patch(
        f"{API}/staff/{i['dr.patel']}",
        headers=as_user("olivia.admin"),
        json={"notify_new_clients": False},
    )
    assert register(demo_api, form(f"{i['dr.patel']}:{i['Counselling']}")).status_code == 201
    confirm(demo_app, demo_api)
    assert not mails(demo_app, PATEL_MAIL)


def test_r_reg_4_not_sure_approved_unassociated_org_admins_told(demo_app, demo_api):
    assert register(demo_api, form("not_sure")).status_code == 201
    assert client_row(demo_app, "rita.rowe") == ("active", False, [])
    assert not mails(demo_app, OLIVIA_MAIL)  # not before the address is confirmed (issue 15)
    confirm(demo_app, demo_api)
    [review] = mails(demo_app, OLIVIA_MAIL)
    assert review.template == "new_client_review"
    assert "assign the client to a practitioner" in review.body_text


def test_r_reg_5_confirm_email_before_login_then_welcome(demo_app, demo_api):
    assert register(demo_api, form("not_sure")).status_code == 201
    r = demo_api.post(
        f"{API}/auth/login",
        json={"username": "rita.rowe", "password": "a-good-password", "audience": "portal"},
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "email_not_confirmed"
    [confirm] = mails(demo_app, "rita@x.example")
    assert confirm.template == "confirm_email"
    assert confirm.links[0].startswith("http://portal.test/confirm-email?token=")
    r = demo_api.post(f"{API}/public/confirm-email", json={"token": token_of(confirm.links[0])})
    assert r.status_code == 200
    welcome = mails(demo_app, "rita@x.example")[-1]
    assert welcome.template == "client_welcome"  # R-CLIENT-4
    login_headers(demo_api, "rita.rowe", password="a-good-password", audience="app")
    again = demo_api.post(f"{API}/public/confirm-email", json={"token": token_of(confirm.links[0])})
    assert again.status_code == 400


def test_r_reg_6_manual_approval_keeps_registrations_pending(demo_app, demo_api, as_user):
    i = ids(demo_app)
    admin = as_user("olivia.admin")
    demo_api.patch(f"{API}/organization", headers=admin, json={"manual_approval": True})
    assert register(demo_api, form(f"{i['nurse.kim']}:{i['Physiotherapy']}")).status_code == 201
    status, _, assoc = client_row(demo_app, "rita.rowe")
    assert status == "pending" and assoc == [(i["nurse.kim"], i["Physiotherapy"])]
    assert not [m for m in mails(demo_app, OLIVIA_MAIL) if m.template == "new_client_review"]
    confirm(demo_app, demo_api)
    review = mails(demo_app, OLIVIA_MAIL)[-1]
    assert review.template == "new_client_review" and "Rita Rowe" in review.subject
    pending = demo_api.get(f"{API}/clients?status=pending", headers=admin).json()["clients"]
    rita = next(c for c in pending if c["username"] == "rita.rowe")
    assert demo_api.post(f"{API}/clients/{rita['id']}/approve", headers=admin).status_code == 200
    assert client_row(demo_app, "rita.rowe")[0] == "active"
    # issue 15: the approved client is emailed that they can now sign in
    approved = mails(demo_app, "rita@x.example")[-1]
    assert approved.template == "client_approved"
    assert "can now sign in to the VTConnect Care App" in approved.body_text
    assert "rita.rowe" in approved.body_text and approved.links == ["http://portal.test/login"]


def test_r_reg_2_r_client_6_individual_practitioner_is_picked_automatically(demo_app, demo_api):
    with demo_app.state.session_factory() as db, db.begin():
        db.scalar(select(Organization)).individual_practitioner = True
    info = demo_api.get(f"{API}/public/orgs/riverside").json()
    assert info["not_sure_offered"] is False
    assert register(demo_api, form("not_sure")).status_code == 201
    assert len(client_row(demo_app, "rita.rowe")[2]) == 1


def test_bad_registrations_name_each_field_and_save_nothing(demo_app, demo_api):
    r = register(
        demo_api,
        form(
            "12345:1",
            first_name="",
            email="alex_active@clients.example",
            username="alex.active",
            password="short",
        ),
    )
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    # a used email is never said (defect 5): only the fields the registrant can fix
    assert set(fields) == {"first_name", "username", "password", "practitioner"}
    assert fields["username"] == "That username is taken. Please choose another."
    r = register(demo_api, form("not_sure", username="rita@x.example"))
    assert "username" in r.json()["error"]["fields"]  # R-LOGIN-1
    assert all_templates(demo_app) == []


def test_a_username_race_lost_at_commit_is_a_field_error_not_a_500(demo_app, demo_api, monkeypatch):
    """Two registrations passing the check at once: the database's unique index decides."""
    from vtconnect_care.server.services import registration

    monkeypatch.setattr(registration, "_username_errors", lambda db, username: {})
    r = register(demo_api, form("not_sure", username="alex.active"))
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"username": registration.USERNAME_TAKEN}
    assert all_templates(demo_app) == []


def test_the_same_race_when_choosing_credentials(demo_app, demo_api, as_user, monkeypatch):
    from vtconnect_care.server.services import registration

    r = demo_api.post(
        f"{API}/clients",
        headers=as_user("olivia.admin"),
        json={
            "first_name": "S",
            "last_name": "T",
            "email": "s@x.example",
            "date_of_birth": "1990-01-01",
        },
    )
    assert r.status_code == 201
    token = token_of(mails(demo_app, "s@x.example")[0].links[0])
    monkeypatch.setattr(registration, "_username_errors", lambda db, username: {})
    r = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "alex.active", "password": "long-enough-pw"},
    )
    assert r.status_code == 422 and "username" in r.json()["error"]["fields"]
    monkeypatch.undo()
    r = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "s.t", "password": "long-enough-pw"},
    )
    assert r.status_code == 200  # the link was not spent by the failed attempt
