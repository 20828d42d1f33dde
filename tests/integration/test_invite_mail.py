"""Invitations by mail when RUSHES_SMTP_* is set: sent with smtplib to a local SMTP sink (tests/fakes/smtp_sink.py).

The link travels only to the invitee's mailbox, so the owner's answer does not carry it; with no mail
server, or one that refuses, the answer carries the link to hand over instead.
"""

from __future__ import annotations

import socket

from rushes.services import users
from rushes.services.demo import create_demo
from rushes.web.app import create_app
from tests.fakes.smtp_sink import SmtpSink
from tests.integration.conftest import anonymous_client, api_client, make_rushes


def test_an_invitation_goes_by_mail_and_its_link_joins_the_invitee(tmp_path):
    with SmtpSink() as sink:
        rushes = make_rushes(tmp_path, smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none",
                             smtp_sender="studio@rushes.example", public_url="http://testserver")
        demo = create_demo(rushes)
        app = create_app(rushes, run_worker=False, load_demo=False)
        with api_client(rushes, "owner", app=app) as owner:
            made = owner.post(f"/api/studios/{demo['studio_id']}/members", json={"email": "Lena@Studio.example",
                                                                                 "role": "editor"})
            assert made.status_code == 201, made.text
            assert made.json()["mailed"] is True and "invite_url" not in made.json()
            pending = owner.get(f"/api/studios/{demo['studio_id']}/invitations").json()
            assert pending[0]["mailed"] is True
        assert len(sink.messages) == 1
        mail = sink.messages[0]
        assert mail.to == ["lena@studio.example"] and mail.sender == "studio@rushes.example"
        assert mail.message["Subject"].startswith("You are invited to ")
        link = next(word for word in mail.body.split() if word.startswith("http://testserver/invite/"))
        with anonymous_client(rushes, app=app) as lena:
            joined = lena.post(link.removeprefix("http://testserver"), data={"password": "lena's password"},
                               headers={"Origin": "http://testserver"}, follow_redirects=False)
            assert joined.status_code == 303
        with rushes.db.session() as session:
            assert users.roles_of(session, users.user_by_email(session, "lena@studio.example").id) == {
                demo["studio_id"]: "editor"}
        rushes.db.dispose()


def test_a_refusing_mail_server_falls_back_to_the_link(tmp_path):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    rushes = make_rushes(tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                         smtp_timeout_seconds=5, smtp_password="hunter2-secret")
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    with api_client(rushes, "owner", app=app) as owner:
        made = owner.post(f"/api/studios/{demo['studio_id']}/members", json={"email": "sam@studio.example"})
        body = made.json()
        assert made.status_code == 201 and body["mailed"] is False and "/invite/" in body["invite_url"]
        assert "was not sent" in body["mail_error"] and "hunter2" not in made.text
    rushes.db.dispose()
