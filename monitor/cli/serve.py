"""`monitor serve`: the review page on 127.0.0.1, and the helper that makes its password hash."""

from __future__ import annotations

import ipaddress

import click

from monitor.cli.common import CommandError, Context


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default=None, metavar="ADDRESS",
              help="Address to listen on (default: [review] host, else 127.0.0.1).")
@click.option("--port", default=None, type=int, metavar="PORT",
              help="Port to listen on (default: [review] port, else 8000).")
@click.option("--hash-password", "hash_only", is_flag=True,
              help="Ask for a password and print the hash to put in [review] password_hash.")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None, hash_only: bool) -> None:
    """Run the review page where attorneys read, edit, approve and reject drafts."""
    from monitor.web import security

    if hash_only:
        password = click.prompt("Password for the review page", hide_input=True,
                                confirmation_prompt=True)
        if len(password) < 8:
            raise CommandError("choose a password of at least 8 characters")
        click.echo("Put this line under [review] in monitor.toml, or set "
                   f"${security.PASSWORD_HASH_ENV} to the quoted value:")
        click.echo(f'password_hash = "{security.hash_password(password)}"')
        return
    from werkzeug.serving import make_server

    from monitor.web import create_app
    from monitor.web.settings import ReviewSettings

    config = obj.config
    review = ReviewSettings.from_config(config)
    host = host or review.host
    port = port if port is not None else review.port
    if not is_loopback(host) and not review.allow_remote:
        raise CommandError(
            f"refusing to listen on {host}: the review page is plain HTTP; set "
            "[review] allow_remote = true (behind an HTTPS proxy) to allow it")
    app = create_app(config, listen_host=host)
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Review page at http://{shown}:{server.server_port}/ (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


COMMANDS = [serve]
