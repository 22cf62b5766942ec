"""Issue 18 #7: on a 100 % full disk, `monitor run` and `monitor status` each give one line.

Before, the run lock's pid write (`os.pwrite`, ENOSPC) ended in a traceback and `monitor status`
itself failed with `disk I/O error`: the diagnostic tool was down when it was needed. A real
tmpfs inside a private mount namespace (as tests/test_crash_storage.py), filled to the last byte.
"""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, run_cli
from tests.opskit import ops_config
from tests.test_crash_storage import in_namespace

MONITOR = '"$PY" -m monitor --config "$CONFIG"'


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("full100")
    data = folder / "data"
    data.mkdir()
    config = ops_config(folder)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        first = run_cli("run", "--snapshot", base, "--no-digests", config=config)
        assert first.returncode == 0, first.stderr
        text = config.read_text(encoding="utf-8")
        text = text.replace(f'database = "{folder / "monitor.db"}"',
                            f'database = "{data / "monitor.db"}"')
        text = text.replace(f'drafts = "{folder / "drafts"}"', f'drafts = "{data / "drafts"}"')
        config.write_text(text, encoding="utf-8")
        script = (
            'mount -t tmpfs -o size=2m tmpfs "$DATA"\n'
            'cp "$OUT/monitor.db" "$DATA/monitor.db"\n'
            'cp -r "$OUT/drafts" "$DATA/drafts"\n'
            'dd if=/dev/zero of="$DATA/filler" bs=1k 2>/dev/null || true\n'
            'df -k "$DATA" | tail -1 | awk \'{print $4}\' >"$OUT/free"\n'
            f'{MONITOR} run --force --no-digests --snapshot "$BASE" >"$OUT/run.out" '
            '2>"$OUT/run.err" || echo $? >"$OUT/run.rc"\n'
            f'{MONITOR} status >"$OUT/status.out" 2>"$OUT/status.err" '
            '|| echo $? >"$OUT/status.rc"\n'
            f'{MONITOR} status --json >"$OUT/status.json" 2>"$OUT/status-json.err" '
            '|| echo $? >"$OUT/status-json.rc"\n'
        )
        result = in_namespace(script, DATA=str(data), OUT=str(folder), CONFIG=str(config),
                              BASE=base)
    assert result.returncode == 0, result.stderr

    def read(name: str) -> str:
        path = folder / name
        return path.read_text(encoding="utf-8") if path.exists() else ""

    return read


def test_the_disk_really_was_full(full_disk):
    assert full_disk("free").strip() == "0"


def test_run_gives_one_line_not_a_traceback(full_disk):
    err = full_disk("run.err")
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert full_disk("run.rc").strip() in ("1", "2")
    assert err.rstrip().endswith(("disk is full", "No space left on device")), err


def test_status_still_reports_what_it_can_read(full_disk):
    out, err = full_disk("status.out"), full_disk("status.err")
    assert "Traceback" not in out + err, err
    assert not full_disk("status.rc") and not err.startswith("monitor: error"), err
    assert "Last run:" in out and "Sources:" in out, out + err
    assert "free beside the database" in out  # the warning that explains it all


def test_status_json_works_too(full_disk):
    import json

    facts = json.loads(full_disk("status.json"))
    assert facts["last_run"] and any("free beside" in w for w in facts["warnings"])
