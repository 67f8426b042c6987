"""The crisis exercise's living material: the feed written from the model, and the statement reader.

- :mod:`~communitysim.crisis_feed.feed`: personas, phases, channels and reactions to the brand's
  actions, hour by hour, with the model's counts and sentiments (``build_feed``).
- :mod:`~communitysim.crisis_feed.render`: the feed as HTML for the exercise pages.
- :mod:`~communitysim.crisis_feed.statements`: a written statement read offline (SCCT strategies
  and the phrases that show them, tone, length, readability, facts), checked on a labelled set of
  real public statements.
"""

from communitysim.crisis_feed.feed import BrandAction, Feed, HourFigures, Message, build_feed, hour_figures
from communitysim.crisis_feed.render import brand_actions, living_feed_html
from communitysim.crisis_feed.statements import Reading, agreement, read_statement

__all__ = [
    "BrandAction",
    "Feed",
    "HourFigures",
    "Message",
    "Reading",
    "agreement",
    "brand_actions",
    "build_feed",
    "hour_figures",
    "living_feed_html",
    "read_statement",
]
