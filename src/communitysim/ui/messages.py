"""The message catalogue's old address, kept for the shipped notebooks' ``set_language`` cell.

The catalogue lives on the ground floor, in :mod:`communitysim.messages`; import it from there.
"""

from communitysim.messages import (  # noqa: F401
    LANGUAGES,
    catalogue,
    language,
    number,
    percent,
    scenario_description,
    set_language,
    t,
    t_or,
    tn,
)
from communitysim.messages import __all__ as __all__
