"""A team page's kernel with its memory bounded: ``python -m communitysim.classroom.kernel --memory-mb=N -f FILE``.

``communitysim class`` names this module in the kernel specification of the pages it serves. It
caps the kernel's address space (``RLIMIT_AS``, in MiB) and then runs ipykernel as usual: a page that
asks for more gets a ``MemoryError`` in its own kernel, and the machine and the other teams go on.
"""

from __future__ import annotations

import sys

__all__ = ["bound_memory", "main"]


def bound_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` MiB (no cap where the system has none)."""
    try:
        import resource
    except ImportError:  # pragma: no cover (Windows: no rlimits)
        return
    limit = int(megabytes) * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def main(argv: list[str] | None = None) -> None:
    """Bound the memory, then start ipykernel with the remaining arguments."""
    args = list(sys.argv[1:] if argv is None else argv)
    memory = [a for a in args if a.startswith("--memory-mb=")]
    rest = [a for a in args if not a.startswith("--memory-mb=")]
    if memory:
        bound_memory(int(memory[-1].split("=", 1)[1]))
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=rest)


if __name__ == "__main__":  # pragma: no cover
    main()
