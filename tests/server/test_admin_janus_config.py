"""`vtconnect-admin janus-config`: a locked-down Janus config for IT (docs/group-rooms.md)."""

from __future__ import annotations

import stat

import pytest

from vtconnect_care.server import admin_cli


def test_the_config_demands_the_secrets_it_prints_and_only_its_owner_reads_them(tmp_path, capsys):
    assert admin_cli.main(["janus-config", "--folder", str(tmp_path), "--ws-port", "8190"]) == 0
    out = capsys.readouterr().out
    settings = dict(line.strip().split("=", 1) for line in out.splitlines() if "=" in line)
    assert settings["VTCONNECT_JANUS_URL"] == "ws://127.0.0.1:8190"
    main = (tmp_path / "janus.jcfg").read_text()
    videoroom = (tmp_path / "janus.plugin.videoroom.jcfg").read_text()
    assert f'api_secret = "{settings["VTCONNECT_JANUS_API_SECRET"]}"' in main
    assert f'admin_key = "{settings["VTCONNECT_JANUS_ADMIN_KEY"]}"' in videoroom
    assert 'ws_ip = "127.0.0.1"' in (tmp_path / "janus.transport.websockets.jcfg").read_text()
    for name in ("janus.jcfg", "janus.plugin.videoroom.jcfg"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_a_bad_port_range_changes_nothing(tmp_path):
    with pytest.raises(SystemExit) as refused:
        admin_cli.main(["janus-config", "--folder", str(tmp_path / "j"), "--rtp-ports", "lots"])
    assert "20000-40000" in str(refused.value)
    assert not (tmp_path / "j").exists()
