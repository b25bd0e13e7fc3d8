"""serve: the live page in a browser, for a lecture and a lab."""

from __future__ import annotations

import click

from diffcompare.cli.group import main

LOOPBACK = "127.0.0.1"


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: any free one).")
@click.option("--host", default=LOOPBACK, show_default=True,
              help="The address to listen on; anything but loopback lets the network in.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option("--allow-programs", is_flag=True,
              help="Let the page upload Python programs and run them, as python FILE would.")
@click.option("--budget", type=click.FloatRange(min=0.1, max=60), default=5.0,
              show_default=True, help="CPU seconds for each piece of a request's work.")
def serve(port, host, no_browser, allow_programs, budget):
    """A local web application: the formula (or a program), the point, the step h — and
    every view (the comparison, the derivation, the traces, the graph, the ε plot),
    recomputed as they change. The view lives in the URL (f, at, h, view, kind), so a link
    opens exactly what was shown. Its first line is the address.

    \b
    Examples:
      diffcompare serve
      diffcompare serve --port 0 --no-browser
    """
    import socket
    import sys
    import webbrowser

    import uvicorn

    from diffcompare.web.app import create_app

    if host != LOOPBACK:
        click.echo(f"warning: listening on {host}: anyone who can reach it can run "
                   "computations here" + (" and programs" if allow_programs else ""),
                   err=True)
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        raise click.UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listener.listen(64)
    address = f"http://{host if ':' not in host else f'[{host}]'}:{listener.getsockname()[1]}/"
    print(address, flush=True)
    if not no_browser:
        webbrowser.open(address)
    config = uvicorn.Config(create_app(allow_programs, budget=budget), log_level="warning",
                            limit_concurrency=64, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    server.run(sockets=[listener])
    sys.exit(0)
