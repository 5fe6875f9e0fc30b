"""Local, stateful simulators of the vendor APIs the Website Factory talks to.

    from devtools.sandbox import SandboxServer, settings
    with SandboxServer(time_scale=0.01) as sb:
        env = settings(sb.url)

See sandbox/README.md.
"""
from .env import settings

__all__ = ["SandboxServer", "settings"]


def __getattr__(name):  # lazy: importing sandbox.settings must not start anything
    if name == "SandboxServer":
        from .server import SandboxServer
        return SandboxServer
    raise AttributeError(name)
