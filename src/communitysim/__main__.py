"""``python -m communitysim`` is the ``communitysim`` command."""

from communitysim.cli import main

raise SystemExit(main())
