"""pytest: tests and doctests read English texts whatever the locale (a French desktop would switch them)."""

import os

os.environ["COMMUNITYSIM_LANG"] = "en"
