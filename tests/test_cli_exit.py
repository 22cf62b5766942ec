"""Exit statuses reach the shell: a command that exits with a code is not reported as success."""

from __future__ import annotations

import subprocess
import sys


def test_exit_code_from_ctx_exit_reaches_the_shell(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(
        "import click, sys\n"
        "from monitor.cli import cli, main\n"
        "@cli.command('probe-exit')\n"
        "@click.pass_context\n"
        "def probe(ctx):\n"
        "    ctx.exit(3)\n"
        "sys.argv = ['monitor', 'probe-exit']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=60)
    assert result.returncode == 3


