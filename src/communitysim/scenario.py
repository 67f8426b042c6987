"""The scenario: one validated parameter tree, loaded from YAML, with overrides.

Every field has a default, a unit and a description (and, where one exists, a source in
``../shared/DOMAIN.md`` terms); the same metadata drives ``docs/MODEL.md``'s parameter table,
the CLI's ``--set`` and the notebook sliders' ranges (:func:`field_bounds`).

Example:
    >>> from communitysim.scenario import load_scenario
    >>> s = load_scenario("scenarios/bakery_launch.yaml", overrides={"seeding.size": 50})
    >>> s.seeding.size
    50
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import reprlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from communitysim.files import InputError, clean_text, load_yaml, load_yaml_file
from communitysim.messages import number, t, t_or

__all__ = [
    "CONTENT_TYPES",
    "ScenarioError",
    "Scenario",
    "AudienceParams",
    "NetworkParams",
    "AffinityParams",
    "ActivityParams",
    "GrowthParams",
    "CommunityParams",
    "SeedingParams",
    "LaunchParams",
    "StrategyParams",
    "RetentionParams",
    "Objective",
    "CrisisParams",
    "ResponseParams",
    "CrisisDynamicsParams",
    "load_scenario",
    "check_seed",
    "apply_overrides",
    "parse_set_option",
    "pydantic_message",
    "frame",
    "parameter_table",
    "field_bounds",
]

#: The content types a posting strategy mixes (read by the content mechanism).
CONTENT_TYPES = (
    "informational",
    "entertainment",
    "contest",
    "quiz_poll",
    "event",
    "promotional",
    "debate",
    "begging",
)
ContentType = Literal[
    "informational",
    "entertainment",
    "contest",
    "quiz_poll",
    "event",
    "promotional",
    "debate",
    "begging",
]

#: Largest audience a scenario may ask for (people); refused before any allocation.
MAX_AUDIENCE = 10_000_000
#: Largest number of edges (mean_degree x size / 2) a scenario may ask for.
MAX_EDGES = 200_000_000
#: Largest number of steps in one run.
MAX_STEPS = 1_000_000
#: Most replications of a point in a sweep (seeds are spawned up front).
MAX_REPLICATIONS = 10_000
#: Longest scenario name (it becomes part of file names) and description, in characters.
MAX_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 5_000


#: How an error message shows the value it refuses: short, however large the value (a huge list, a long text).
_SHORT = reprlib.Repr(maxlevel=2, maxlist=4, maxdict=4, maxstring=80, maxother=80, maxlong=40)


class ScenarioError(ValueError):
    """A scenario, an override or an input file is invalid; the message is one line.

    The message names the file (or ``overrides``), the field path and what was expected.
    """


def check_seed(seed: Any, source: str = "seed") -> int:
    """``seed`` as an int when it is a whole number >= 0 (numpy's too), else one line naming ``source``.

    Example:
        >>> check_seed(7)
        7
    """
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise ScenarioError(frame(source, t("scenario.error.seed", got=_SHORT.repr(seed))))


def _field(default: Any, description: str, unit: str, source: str | None = None, **kw: Any) -> Any:
    extra = {"unit": unit} if source is None else {"unit": unit, "source": source}
    return Field(default, description=description, json_schema_extra=extra, **kw)


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)


class NetworkParams(_Params):
    """The audience's social graph."""

    kind: Literal["watts_strogatz", "barabasi_albert", "stochastic_block", "complete", "file"] = _field(
        "watts_strogatz",
        "graph family: small world (watts_strogatz), scale-free (barabasi_albert), audience segments "
        "(stochastic_block), everyone knows everyone (complete, closed form), or a file",
        "name",
        "DOMAIN.md s.2 (network Bass)",
    )
    mean_degree: int = _field(
        10, "mean number of contacts per person (watts_strogatz rounds down to even)", "people", ge=2, le=1000
    )
    rewiring: float = _field(0.1, "watts_strogatz: share of lattice edges rewired at random", "share 0..1", ge=0, le=1)
    n_segments: int = _field(3, "number of audience segments (the blocks of stochastic_block)", "count", ge=1, le=1000)
    share_within_segment: float = _field(
        0.9, "stochastic_block: share of a person's contacts inside their own segment", "share 0..1", ge=0, le=1
    )
    path: str | None = _field(
        None, "file: edge list (.csv, .txt, .edgelist: two node ids a line) or GraphML (.graphml)", "path"
    )


#: Smallest non-zero affinity spread: below it the Beta's parameters overflow (0 means everyone alike).
MIN_SPREAD = 1e-4


class AffinityParams(_Params):
    """How much people like the brand, drawn from a Beta distribution."""

    mean: float = _field(0.5, "mean affinity for the brand", "share 0..1", gt=0, lt=1)
    spread: float = _field(
        0.15, "standard deviation of affinity (0: everyone alike, the Bass limit)", "share 0..1", ge=0, lt=0.5
    )

    @model_validator(mode="after")
    def _beta_feasible(self) -> AffinityParams:
        if 0 < self.spread < MIN_SPREAD:
            raise ValueError(t("scenario.error.spread_small", minimum=number(MIN_SPREAD, None)))
        if self.spread**2 >= self.mean * (1 - self.mean):
            limit = math.sqrt(self.mean * (1 - self.mean))
            raise ValueError(t("scenario.error.spread", limit=number(limit, 3)))
        return self


class ActivityParams(_Params):
    """How active people are on the platform: heavy-tailed, mean 1."""

    distribution: Literal["pareto", "constant"] = _field(
        "pareto",
        "pareto: heavy tail (participation inequality); constant: everyone 1 (Bass limit)",
        "name",
        "DOMAIN.md s.3 (power law of contributions, van Mierlo 2014)",
    )
    tail_index: float = _field(2.0, "Pareto tail index alpha (smaller: heavier tail)", "dimensionless", gt=1, le=10)
    cap: float = _field(
        20.0, "largest activity, as a multiple of the mean, before renormalising", "x mean", ge=1, le=1000
    )


class AudienceParams(_Params):
    """The people the brand can reach."""

    size: int = _field(5000, "number of people in the audience", "people", ge=2, le=MAX_AUDIENCE)
    network: NetworkParams = NetworkParams()
    affinity: AffinityParams = AffinityParams()
    activity: ActivityParams = ActivityParams()


class GrowthParams(_Params):
    """Joining by external visibility and word-of-mouth (network Bass), and leaving."""

    external_rate_per_day: float = _field(
        0.002,
        "p: hazard of joining from the brand's own visibility (presence, events, paid reach)",
        "per day",
        "Bass 1969; DOMAIN.md s.2",
        ge=0,
        le=10,
    )
    word_of_mouth_rate_per_day: float = _field(
        0.25,
        "q: hazard of joining per unit of activity-weighted share of member neighbours",
        "per day",
        "Bass 1969; DOMAIN.md s.2",
        ge=0,
        le=100,
    )
    churn_rate_per_day: float = _field(
        0.001, "hazard of a member leaving, for a member of mean affinity and mean activity", "per day", ge=0, le=10
    )
    churn_activity_exponent: float = _field(
        0.5,
        "how much activity protects from churn: hazard x effective_activity^-exponent (0: not at all)",
        "dimensionless",
        ge=0,
        le=5,
    )


class CommunityParams(_Params):
    """The community's activity norm, set by its first members."""

    norm_conformity_share: float = _field(
        0.5,
        "share of a newcomer's activity taken from the members' mean activity when they join (0: none)",
        "share 0..1",
        "seeds 001 III.1 and 002 (first members set the tone)",
        ge=0,
        le=1,
    )


class SeedingParams(_Params):
    """The first members: who they are, and when they are invited."""

    strategy: str = _field(
        "close_circle",
        "who is invited first: close_circle, influencers, random, none (or a registered name)",
        "name",
        "seed 001 III.1",
    )
    size: int = _field(20, "number of people invited as first members", "people", ge=0, le=MAX_AUDIENCE)
    acceptance_share: float = _field(
        0.8, "share of invited people who join when the page is ready", "share 0..1", ge=0, le=1
    )
    invite_after_posts: int = _field(
        6, "brand posts published before the first members are invited", "posts", "seed 001 II", ge=0, le=10_000
    )
    close_circle_affinity: float = _field(
        0.9,
        "affinity of close-circle first members (friends and colleagues of the founder)",
        "share 0..1",
        "seed 001 III.1",
        ge=0,
        le=1,
    )
    close_circle_activity_factor: float = _field(
        3.0, "how much more active close-circle first members are than they would otherwise be", "x", ge=1, le=100
    )

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        from communitysim.mechanisms.seeding import STRATEGIES

        if value not in STRATEGIES:
            raise ValueError(t("scenario.error.strategy", value=repr(value), allowed=", ".join(sorted(STRATEGIES))))
        return value


class LaunchParams(_Params):
    """Launch readiness: a page is stocked before it is opened (seed 001, II)."""

    posts_ready: int = _field(
        6, "posts after which the page looks ready to visitors", "posts", "seed 001 II", ge=0, le=10_000
    )
    unready_conversion_share: float = _field(
        0.2,
        "conversion of an empty page relative to a ready one (joins and invitations)",
        "share 0..1",
        "seed 001 II",
        ge=0,
        le=1,
    )
    declined_affinity_factor: float = _field(
        0.5,
        "affinity kept by an invited person who declined (a poor first impression)",
        "x",
        "seed 001 II",
        ge=0,
        le=1,
    )


def _default_mix() -> dict[str, float]:
    return {"informational": 0.4, "entertainment": 0.3, "quiz_poll": 0.1, "event": 0.1, "promotional": 0.1}


class StrategyParams(_Params):
    """The community manager's posting strategy: how often, what, how well, how responsive."""

    posts_per_week: float = _field(
        5.0, "brand posts published per week", "posts per week", "DOMAIN.md s.5", ge=0, le=500
    )
    content_mix: dict[ContentType, float] = Field(
        default_factory=_default_mix,
        description="share of posts of each content type; shares sum to 1",
        json_schema_extra={"unit": "share 0..1", "source": "seed 001 III"},
    )
    quality: float = _field(0.6, "content quality", "share 0..1", "seed 000 (Contenu)", ge=0, le=1)
    reply_share: float = _field(0.5, "share of member comments the CM replies to", "share 0..1", ge=0, le=1)
    reply_delay_hours: float = _field(4.0, "mean delay of the CM's replies", "hours", "DOMAIN.md s.7", ge=0, le=720)
    schedule: str = _field(
        "steady",
        "posting schedule: steady (even cadence), weekdays (no weekend posts), calendar (at calendar_days), "
        "or a registered name",
        "name",
    )
    calendar_days: list[float] = Field(
        default_factory=list,
        description="the days the posts go out with the calendar schedule (one per post; 0.5 is noon of day 0)",
        json_schema_extra={"unit": "days"},
        max_length=100_000,
    )

    @field_validator("calendar_days")
    @classmethod
    def _calendar_in_order(cls, days: list[float]) -> list[float]:
        bad = [d for d in days if not (0 <= d < 1e6)]
        if bad:
            raise ValueError(f"every day must be a number of days >= 0, got {bad[0]!r}")
        return sorted(days)

    @field_validator("schedule")
    @classmethod
    def _known_schedule(cls, value: str) -> str:
        from communitysim.mechanisms.posting import SCHEDULES

        if value not in SCHEDULES:
            raise ValueError(t("scenario.error.schedule", value=repr(value), allowed=", ".join(sorted(SCHEDULES))))
        return value

    @field_validator("content_mix")
    @classmethod
    def _mix_sums_to_one(cls, mix: dict[str, float]) -> dict[str, float]:
        if not mix:
            raise ValueError(t("scenario.error.mix_empty"))
        bad = [k for k, v in mix.items() if not (v >= 0)]
        if bad:
            raise ValueError(t("scenario.error.mix_negative", kind=bad[0]))
        total = sum(mix.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(t("scenario.error.mix_sum", total=number(total, None)))
        return mix


class FeedParams(_Params):
    """What members see of the brand's posts: organic reach, limited attention, fatigue.

    The defaults (``platform: generic``) describe a community group, whose members see much more
    of the brand's posts than the followers of a brand page; the platform presets describe pages.
    """

    organic_reach_share: float = _field(
        0.3,
        "share of followers of mean activity who see a given brand post in their feed",
        "share 0..1",
        "DOMAIN.md s.5 (platform presets)",
        gt=0,
        le=1,
    )
    appetite_posts_per_day: float = _field(
        1.5,
        "brand posts a member can attend to per day before attention is split (limited attention)",
        "posts per day",
        "DOMAIN.md s.6",
        gt=0,
        le=100,
    )
    fatigue_per_excess_post: float = _field(
        0.02, "fatigue added per day by each post per day beyond the appetite", "fatigue units per post", ge=0, le=10
    )
    fatigue_half_life_days: float = _field(7.0, "half-life of fatigue", "days", gt=0, le=365)
    fatigue_unfollow_rate_per_day: float = _field(
        0.005, "extra unfollow hazard per unit of fatigue (over-posting)", "per day", "DOMAIN.md s.6", ge=0, le=10
    )
    visibility_from_posts_share: float = _field(
        0.5,
        "share of external visibility that comes from the brand's posting (the rest from its presence)",
        "share 0..1",
        ge=0,
        le=1,
    )
    reference_posts_per_week: float = _field(
        5.0,
        "cadence at which posting gives the scenario's external visibility p",
        "posts per week",
        "DOMAIN.md s.5",
        gt=0,
        le=500,
    )


class EngagementParams(_Params):
    """Engaging with posts: per-view chance, post and member decay, participation, shares."""

    per_view: float = _field(
        0.05,
        "chance that a view by a member of mean affinity and engagement is engaged with, before attention and fatigue",
        "share 0..1",
        "DOMAIN.md s.5 (platform presets)",
        gt=0,
        le=1,
    )
    post_half_life_hours: float = _field(
        3.2, "half-life of a post's engagement after publication", "hours", "DOMAIN.md s.4 (Bitly 2011)", gt=0, le=720
    )
    post_decay_stretch: float = _field(
        0.5,
        "stretch exponent beta of the post decay exp(-(t/tau)^beta)",
        "dimensionless",
        "DOMAIN.md s.4 (Wu and Huberman 2007)",
        ge=0.05,  # below, ln(2)^(1/stretch) underflows to 0 (measured stretches are 0.3-1)
        le=2,
    )
    member_half_life_days: float = _field(
        14.0, "half-life of a member's engagement back to its baseline 1", "days", gt=0, le=3650
    )
    gain_per_action: float = _field(
        1.0, "engagement a member gains from each of their own actions (habit)", "engagement units", ge=0, le=10
    )
    gain_per_reply_received: float = _field(
        1.0,
        "engagement gained from a reply by another member (conversation)",
        "engagement units",
        "seed 000 (value from member interactions)",
        ge=0,
        le=10,
    )
    max_engagement: float = _field(20.0, "ceiling of a member's engagement", "x baseline", ge=1, le=100)
    comment_share: float = _field(
        0.25,
        "share of engagements that are comments, for a member of baseline engagement",
        "share 0..1",
        "DOMAIN.md s.8",
        ge=0,
        le=1,
    )
    share_share: float = _field(
        0.08,
        "share of engagements that are shares, for average shareability",
        "share 0..1",
        "DOMAIN.md s.8",
        ge=0,
        le=1,
    )
    share_exposure: float = _field(
        20.0,
        "word-of-mouth exposure of a non-member per share by a contact, relative to a member contact",
        "x member contact",
        ge=0,
        le=100,
    )
    inactive_days: float = _field(
        30.0,
        "days without any action after which a member counts as inactive",
        "days",
        "DOMAIN.md s.8",
        gt=0,
        le=365,
    )
    inactive_churn_factor: float = _field(1.5, "churn hazard multiplier for inactive members", "x", ge=1, le=100)
    creator_comments_30d: int = _field(
        8,
        "comments in the last 30 days from which a member counts as a creator (1 or more: contributor)",
        "comments",
        "DOMAIN.md s.3 (90-9-1)",
        ge=2,
        le=1000,
    )
    negative_comment_share: float = _field(
        0.3,
        "share of a member's comments that are negative when their affinity is 0 (falls linearly to 0 at 1)",
        "share 0..1",
        ge=0,
        le=1,
    )
    positive_comment_share: float = _field(
        0.6,
        "share of a member's comments that are positive when their affinity is 1 (rises linearly from 0)",
        "share 0..1",
        ge=0,
        le=1,
    )


class ConversationParams(_Params):
    """Member-to-member talk: comments that answer other members (seed 000)."""

    member_reply_share: float = _field(
        0.15,
        "share of comments that answer another member, for an average content mix and no CM replies",
        "share 0..1",
        "DOMAIN.md s.3 (Higher Logic: 61% of threads unanswered)",
        ge=0,
        le=1,
    )
    reply_culture_boost: float = _field(
        0.5, "relative increase of member-to-member replies when the CM answers every comment", "x", ge=0, le=10
    )


class RepliesParams(_Params):
    """Effects of the CM's replies on the members who commented (DOMAIN.md s.7)."""

    speed_scale_hours: float = _field(
        1.0, "reply delay at which a reply is worth half of an instant one", "hours", "DOMAIN.md s.7", gt=0, le=720
    )
    affinity_gain: float = _field(0.02, "affinity gained by a member from one instant reply", "share 0..1", ge=0, le=1)
    engagement_gain: float = _field(
        0.5, "engagement gained by a member from one instant reply", "engagement units", ge=0, le=10
    )
    unanswered_affinity_loss: float = _field(
        0.003, "affinity lost for each comment to the brand left unanswered", "share 0..1", ge=0, le=1
    )


class RetentionParams(_Params):
    """What keeps members: attachment built by what they receive, and ties to other members (DOMAIN.md s.11)."""

    bond_per_reply: float = _field(
        0.4,
        "attachment a member gains from one instant reply by the CM (times the reply's speed worth)",
        "attachment units",
        "DOMAIN.md s.11 (Joyce and Kraut 2006: a reply, 44% -> 56% come back)",
        ge=0,
        le=10,
    )
    bond_per_member_answer: float = _field(
        0.4,
        "attachment a member gains from one answer by another member (as a reply: Joyce and Kraut's replies "
        "came from members)",
        "attachment units",
        "DOMAIN.md s.11 (Yang and Kraut 2017; Ren et al. 2012)",
        ge=0,
        le=10,
    )
    bond_per_view: float = _field(
        0.08,
        "attachment a member gains from seeing one post of quality 1 (times quality and attention, over 1 + "
        "fatigue; assumption)",
        "attachment units",
        "seed 000 (quality content 'attire et fidélise')",
        ge=0,
        le=10,
    )
    seen_care: float = _field(
        0.5,
        "weight of the care a viewer sees on the page (the brand's replies, members answering each other) beside "
        "quality in the value of a post seen (assumption)",
        "x quality",
        "seed 000 (écouter, répondre); DOMAIN.md s.11",
        ge=0,
        le=10,
    )
    reply_speed_share: float = _field(
        0.7,
        "share of a reply's attachment that depends on its speed (the rest comes with any reply)",
        "share 0..1",
        "DOMAIN.md s.7 and s.11 (any reply counts; fast ones more)",
        ge=0,
        le=1,
    )
    bond_half_life_days: float = _field(
        60.0, "half-life of a member's attachment without new care or value (assumption)", "days", gt=0, le=3650
    )
    max_bond: float = _field(5.0, "ceiling of a member's attachment", "attachment units", ge=0, le=100)
    tie_effect: float = _field(
        1.0,
        "attachment from ties: a member all of whose contacts are members (of mean activity) counts this much "
        "attachment (assumption)",
        "attachment units",
        "DOMAIN.md s.11 (Ren et al. 2012: bonds between members)",
        ge=0,
        le=10,
    )
    conversation_exposure: float = _field(
        20.0,
        "word-of-mouth exposure of a non-member per comment a contact wrote to another member, relative to a "
        "member contact (for the step; assumption)",
        "x member contact",
        ge=0,
        le=100,
    )


class LeadParams(_Params):
    """Qualified leads from engaged members (seed 003)."""

    rate_per_engagement: float = _field(
        0.003,
        "chance that one engagement by a member of mean affinity makes them a qualified lead",
        "share 0..1",
        "seed 003",
        ge=0,
        le=1,
    )


CrisisType = Literal[
    "offensive_post",
    "product_recall",
    "service_outage",
    "data_leak",
    "employee_misconduct",
    "false_rumour",
    "influencer_callout",
]
ResponseStrategy = Literal["silence", "deny", "diminish", "apologize", "rebuild", "bolster", "correct", "humour"]


class ResponseParams(_Params):
    """The CM's response to a crisis (SCCT, Coombs 2007; DOMAIN.md s.7)."""

    strategy: ResponseStrategy = _field(
        "silence",
        "silence, deny, diminish (excuse/justify), apologize, rebuild (apologize and compensate), bolster "
        "(remind past good deeds), correct (misinformation, with evidence), humour",
        "name",
        "Coombs 2007; DOMAIN.md s.7",
    )
    delay_hours: float = _field(
        4.0, "hours from the crisis going public to the brand's first statement", "hours", "DOMAIN.md s.7", ge=0, le=720
    )
    updates_per_day: float = _field(
        0.0, "follow-up updates per day after the first statement", "updates per day", ge=0, le=24
    )
    moderation_share: float = _field(
        0.0, "share of negative comments on the page hidden or deleted", "share 0..1", ge=0, le=1
    )
    disclose_first: bool = _field(
        False,
        "steal thunder: the brand discloses the problem itself before it goes public",
        "yes/no",
        "Arpan and Roskos-Ewoldsen 2005",
    )


class CrisisParams(_Params):
    """One crisis event: what, when, how bad, where it starts, and the CM's response."""

    type: CrisisType = _field(
        "offensive_post",
        "offensive_post, product_recall, service_outage, data_leak, employee_misconduct, false_rumour, "
        "influencer_callout (each has its SCCT cluster)",
        "name",
        "Coombs 2007",
    )
    start_day: float = _field(0.0, "when the crisis goes public (injected: a day already past means now)", "day", ge=0)
    severity: float = _field(0.5, "how grave the trigger is", "share 0..1", gt=0, le=1)
    origin: Literal["type", "inside", "outside"] = _field(
        "type", "where the bad buzz starts: inside the community, outside it, or the type's usual origin", "name"
    )
    history: bool = _field(
        False,
        "the brand had similar crises before (SCCT: raises the attributed responsibility)",
        "yes/no",
        "Coombs 2007",
    )
    response: ResponseParams = ResponseParams()


class CrisisDynamicsParams(_Params):
    """How bad buzz spreads and fades, and what it does (DOMAIN.md s.7; many figures are assumptions)."""

    outrage_share: float = _field(
        0.35,
        "share of the people hearing the bad buzz who take it up and spread it, at severity 1 and mean "
        "affinity (the others just know)",
        "share 0..1",
        "DOMAIN.md s.7 (rumour-spreading models)",
        ge=0,
        le=1,
    )
    calm_rate_per_day: float = _field(
        0.7,
        "hazard of an outraged person calming down (half-life about a day)",
        "per day",
        "DOMAIN.md s.7 (assumption: half-life about a day)",
        gt=0,
        le=100,
    )
    hear_rate_per_day: float = _field(
        200.0,
        "hazard of hearing the bad buzz per unit of (amplified) share of outraged contacts: firestorms build "
        "within hours",
        "per day",
        "DOMAIN.md s.7 (Pfeffer et al. 2014)",
        ge=0,
        le=1000,
    )
    amplification_exponent: float = _field(
        0.5, "central people amplify: a spreader weighs (degree / mean degree)^exponent", "dimensionless", ge=0, le=3
    )
    seed_share: float = _field(
        0.01,
        "share of the origin's people outraged at the start, at severity 1 (at least 3 people)",
        "share 0..1",
        ge=0,
        le=1,
    )
    mentions_per_day: float = _field(
        1.0, "negative brand mentions an outraged person makes per day", "mentions per day", ge=0, le=100
    )
    background_mentions_per_member_per_day: float = _field(
        0.05,
        "ordinary (not negative) brand mentions per member per day, beside comments",
        "mentions per day",
        ge=0,
        le=100,
    )
    heard_affinity_loss: float = _field(
        0.15, "affinity lost on hearing the bad buzz, at severity 1 (e-reputation)", "share 0..1", ge=0, le=1
    )
    outraged_engagement_factor: float = _field(
        0.3, "engagement of an outraged member relative to a calm one", "x", ge=0, le=1
    )
    outraged_churn_factor: float = _field(5.0, "churn hazard multiplier of an outraged member", "x", ge=1, le=100)
    response_spread_effect: float = _field(
        1.5,
        "a response of fit f multiplies the outrage share by exp(-effect x f)",
        "dimensionless",
        "Coombs 2007",
        ge=0,
        le=10,
    )
    response_calm_effect: float = _field(
        1.0,
        "a response of fit f multiplies the calm rate by exp(effect x f)",
        "dimensionless",
        "Coombs 2007",
        ge=0,
        le=10,
    )
    response_affinity_shift: float = _field(
        0.1,
        "affinity change, per unit of response fit, of people who hear the story with the brand's response",
        "share 0..1",
        ge=0,
        le=1,
    )
    response_heard_before_share: float = _field(
        0.3,
        "share of that change reaching the people who heard before the response (their opinion is formed: late "
        "responses are worse; assumption)",
        "share 0..1",
        "DOMAIN.md s.7 (respond within the first hours)",
        ge=0,
        le=1,
    )
    damage_half_life_days: float = _field(
        14.0,
        "half-life of the affinity lost on hearing the story, down to its lasting share (short-term drops fade "
        "within weeks; assumption)",
        "days",
        "DOMAIN.md s.11 (Hansen, Kupfer and Hennig-Thurau 2018: 58% short-term, 40% long-term drops)",
        gt=0,
        le=3650,
    )
    lasting_load_days: float = _field(
        0.5,
        "outrage load (outraged person-days per person of the audience) at which a crisis leaves its cluster's "
        "full lasting share of the damage (the share grows in proportion below it; assumption)",
        "days",
        "DOMAIN.md s.11 (Hansen et al. 2018: large volumes and long storms last)",
        gt=0,
        le=1000,
    )
    lasting_response_effect: float = _field(
        1.5,
        "a response of fit f multiplies the lasting share by exp(-effect x f) (a mismatch, f < 0, makes it last)",
        "dimensionless",
        "Coombs 2007; assumption",
        ge=0,
        le=10,
    )
    update_effect: float = _field(
        0.25,
        "each follow-up update per day strengthens the response's fit by this share (up to 4 a day)",
        "share",
        ge=0,
        le=1,
    )
    thunder_severity_factor: float = _field(
        0.6,
        "severity kept when the brand discloses first (stealing thunder)",
        "x",
        "Arpan and Roskos-Ewoldsen 2005 (moderate, noisy effect)",
        ge=0,
        le=1,
    )
    moderation_backlash_threshold: float = _field(
        0.3, "moderation share beyond which hiding comments backfires", "share 0..1", ge=0, le=1
    )
    moderation_backlash: float = _field(
        4.0,
        "outrage multiplier added per unit of moderation beyond the threshold (Streisand effect)",
        "x",
        ge=0,
        le=100,
    )
    step_hours: float = _field(
        1.0,
        "step length while a crisis is active (at least 6 minutes: shorter steps only slow the run down)",
        "hours",
        "DOMAIN.md s.7",
        ge=0.1,
        le=24,
    )
    window_days: float = _field(
        5.0,
        "how long after a crisis starts the clock stays at crisis resolution",
        "days",
        "DOMAIN.md s.7 (back near baseline in 3-7 days)",
        gt=0,
        le=365,
    )


class Objective(_Params):
    """A SMART objective: a KPI, a target, a deadline (seed 001, II.3)."""

    kpi: str = Field(
        description="KPI name (see docs/KPIS.md)", json_schema_extra={"unit": "name", "source": "seed 001 II.3"}
    )
    target: float = Field(
        description="value to reach", json_schema_extra={"unit": "KPI's unit", "source": "seed 001 II.3"}
    )
    by_day: float = Field(ge=0, description="deadline", json_schema_extra={"unit": "day", "source": "seed 001 II.3"})
    direction: Literal["at_least", "at_most"] = _field("at_least", "pass when achieved >= target, or <= target", "name")

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, value: str) -> str:
        from communitysim.kpis import KPIS

        if value not in KPIS:
            raise ValueError(t("scenario.error.kpi", value=repr(value), allowed=", ".join(KPIS)))
        return value


class Scenario(_Params):
    """A whole scenario: audience, growth, first members, strategy, objectives."""

    _given: dict[str, Any] | None = PrivateAttr(default=None)  # the fields as given, before defaults and presets

    name: str = _field("unnamed", "short name", "text", max_length=MAX_NAME_CHARS)
    description: str = _field(
        "", "what the scenario is about, in a sentence or two", "text", max_length=MAX_DESCRIPTION_CHARS
    )
    days: float = _field(365, "horizon", "days", gt=0, le=3650)
    step_hours: float = _field(24, "length of a step (rates stay per day)", "hours", gt=0, le=168)
    audience: AudienceParams = AudienceParams()
    growth: GrowthParams = GrowthParams()
    community: CommunityParams = CommunityParams()
    seeding: SeedingParams = SeedingParams()
    launch: LaunchParams = LaunchParams()
    strategy: StrategyParams = StrategyParams()
    platform: Literal["generic", "facebook", "instagram", "x", "tiktok", "linkedin"] = _field(
        "generic",
        "platform preset: sets feed and engagement fields the file leaves out",
        "name",
        "DOMAIN.md s.4-5",
    )
    feed: FeedParams = FeedParams()
    engagement: EngagementParams = EngagementParams()
    conversation: ConversationParams = ConversationParams()
    replies: RepliesParams = RepliesParams()
    retention: RetentionParams = RetentionParams()
    leads: LeadParams = LeadParams()
    crises: list[CrisisParams] = Field(
        default_factory=list,
        description="crisis events (bad buzz) with the CM's responses",
        json_schema_extra={"unit": "list", "source": "Coombs 2007"},
    )
    crisis_dynamics: CrisisDynamicsParams = CrisisDynamicsParams()
    objectives: list[Objective] = Field(
        default_factory=list,
        description="SMART objectives checked by the scorecard",
        json_schema_extra={"unit": "list", "source": "seed 001 II.3"},
    )

    @model_validator(mode="before")
    @classmethod
    def _platform_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("platform", "generic") in (None, "generic"):
            return data
        from communitysim.mechanisms.feed import PLATFORMS

        preset = PLATFORMS.get(data["platform"])
        if preset is None:
            return data  # the field's own validation names the allowed platforms
        data = dict(data)
        for section, values in preset.items():
            given = data.get(section)
            if given is None:
                given = {}
            if isinstance(given, dict):
                data[section] = {**values, **given}
        return data

    @field_validator("name")
    @classmethod
    def _visible_name(cls, value: str) -> str:
        if clean_text(value) != value.strip():  # NUL, a newline, a right-to-left override...
            raise ValueError(t("scenario.error.name_hidden", name=ascii(value)[:100]))
        return value

    @property
    def dt_days(self) -> float:
        """Length of a step in days."""
        return self.step_hours / 24.0

    @property
    def n_steps(self) -> int:
        """Number of steps in the horizon."""
        return round(self.days * 24.0 / self.step_hours)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        steps = self.days * 24.0 / self.step_hours
        if not steps < MAX_STEPS + 0.5:  # checked first: a step of 5e-324 hours gives infinitely many
            too_many = t("scenario.error.steps", steps=_count(steps), limit=number(MAX_STEPS))
            raise ValueError(f"step_hours: {too_many}")
        if abs(steps - round(steps)) > 1e-6:
            hours, days = number(self.step_hours, None), number(self.days, None)
            raise ValueError(f"step_hours: {t('scenario.error.step_divide', hours=hours, days=days)}")
        if round(steps) < 1:
            hours, days = number(self.step_hours, None), number(self.days, None)
            raise ValueError(f"days: {t('scenario.error.no_step', hours=hours, days=days)}")
        dynamics = self.crisis_dynamics
        crisis_steps = sum(
            min(dynamics.window_days, self.days - c.start_day) * 24.0 / dynamics.step_hours for c in self.crises
        )
        if not steps + crisis_steps < MAX_STEPS + 0.5:
            too_many = t("scenario.error.steps", steps=_count(steps + crisis_steps), limit=number(MAX_STEPS))
            raise ValueError(f"crisis_dynamics.step_hours: {too_many}")
        n = self.audience.size
        net = self.audience.network
        if net.kind not in ("complete", "file") and net.mean_degree >= n:
            degree = t("scenario.error.degree", degree=number(net.mean_degree, None), size=number(n))
            raise ValueError(f"audience.network.mean_degree: {degree}")
        if net.kind not in ("complete", "file") and net.mean_degree * n / 2 > MAX_EDGES:
            edges = t(
                "scenario.error.edges", degree=number(net.mean_degree, None), size=number(n), limit=number(MAX_EDGES)
            )
            raise ValueError(f"audience.network.mean_degree: {edges}")
        if net.kind == "file" and not net.path:
            raise ValueError(f"audience.network.path: {t('scenario.error.network_path')}")
        if net.kind == "stochastic_block" and net.n_segments > n:
            more = t("scenario.error.more_than_audience", value=number(net.n_segments), size=number(n))
            raise ValueError(f"audience.network.n_segments: {more}")
        if self.seeding.size > n:
            more = t("scenario.error.more_than_audience", value=number(self.seeding.size), size=number(n))
            raise ValueError(f"seeding.size: {more}")
        for i, crisis in enumerate(self.crises):
            if crisis.start_day >= self.days:
                late = t("scenario.error.start_day", day=number(crisis.start_day, None), days=number(self.days, None))
                raise ValueError(f"crises.{i}.start_day: {late}")
        return self


def _count(value: float) -> str:
    """A count for a message, however large (``inf`` and 1e300 too)."""
    return number(value) if value < 1e15 else f"{value:.3g}"


# --- loading and overrides ---------------------------------------------------------------------


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (for 'expected one of')."""
    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return None
    return model


def _one_line(source: str, error: ValidationError) -> str:
    errors = error.errors()
    first = errors[0]
    loc = tuple(p for p in first["loc"] if p != "[key]")  # pydantic marks a bad dict key with "[key]"
    path = ".".join(str(p) for p in loc)
    kind = first["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc)
        what = t("scenario.error.unknown", allowed=", ".join(parent.model_fields) if parent else "?")
    elif kind in ("value_error", "assertion_error"):
        what = str(first["msg"]).removeprefix("Value error, ")
    else:
        what = t("scenario.error.got", what=pydantic_message(first), got=_SHORT.repr(first.get("input")))
    if not path and ": " in what:
        # model-level checks name their own field path: "seeding.size: 30 is more than ..."
        path, what = what.split(": ", 1)
    more = t("scenario.error.more", count=len(errors) - 1) if len(errors) > 1 else ""
    return frame(source, path, what) + more


def frame(*parts: str) -> str:
    """A one-line error in the language's punctuation: ``file: field: what`` (``file : champ : quoi``)."""
    return t("scenario.sep").join(part for part in parts if part)


def pydantic_message(error: Any) -> str:
    """Pydantic's message for a type or bound error, in the current language when the catalogue has its type."""
    context = {
        key: number(value, None) if isinstance(value, int | float) and not isinstance(value, bool) else value
        for key, value in (error.get("ctx") or {}).items()
    }
    if "expected" in context:
        context["expected"] = str(context["expected"]).replace(" or ", t("scenario.check.or"))
    try:
        return t_or(f"scenario.check.{error['type']}", error["msg"], **context)
    except KeyError:  # a context the catalogue's text does not name
        return str(error["msg"])


def _validate(data: Any, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(frame(source, t("scenario.error.mapping", kind=type(data).__name__)))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_one_line(source, exc)) from None
    scenario._given = copy.deepcopy(data)
    return scenario


def parse_set_option(text: str) -> tuple[str, Any]:
    """Parse one ``--set a.b.c=value`` option; the value is read as YAML (numbers, lists, names).

    Example:
        >>> parse_set_option("seeding.size=50")
        ('seeding.size', 50)
    """
    if "=" not in text:
        raise ScenarioError(frame(f"--set {text}", t("scenario.error.set_syntax")))
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ScenarioError(frame(f"--set {text}", t("scenario.error.set_empty")))
    try:
        value = load_yaml(raw, "--set") if raw.strip() else ""  # guarded: depth, aliases
    except yaml.YAMLError:
        value = raw
    if isinstance(value, str):  # YAML 1.1 reads 1e-3 as text
        try:
            value = float(value)
        except ValueError:
            pass
    return path, value


def _set_path(given: dict[str, Any], full: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set ``path`` in the fields as given (creating sections), checking it against the full tree."""
    parts = path.split(".")
    node: Any = given
    known: Any = full
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[: depth + 1])
        if isinstance(known, list):
            if not part.isdigit() or int(part) >= len(known):
                raise ScenarioError(frame(source, here, t("scenario.error.index", count=len(known))))
            key: Any = int(part)
        elif isinstance(known, dict):
            key = part
            if key not in known and not last:
                raise ScenarioError(
                    frame(source, here, t("scenario.error.unknown", allowed=", ".join(map(str, known))))
                )
        else:
            raise ScenarioError(frame(source, here, t("scenario.error.not_section", parent=".".join(parts[:depth]))))
        if last:
            node[key] = value
            return
        if isinstance(key, str) and key not in node:
            # a section the file left to its defaults (and presets): start it empty
            node[key] = {} if isinstance(known[key], dict) else copy.deepcopy(known[key])
        node, known = node[key], known[key]


def apply_overrides(scenario: Scenario, overrides: dict[str, Any] | None, source: str = "overrides") -> Scenario:
    """Return a new scenario with dotted-path overrides applied and validated.

    Args:
        scenario: the scenario to start from.
        overrides: ``{"seeding.size": 50, "objectives.0.target": 300}``.
        source: named in error messages (``overrides`` or ``--set``).

    Raises:
        ScenarioError: an unknown path or an invalid value.

    Example:
        >>> apply_overrides(Scenario(), {"audience.size": 300}).audience.size
        300
    """
    if not overrides:
        return scenario
    # overrides go onto the fields as the user gave them, so that presets (platform) still fill the rest
    given = copy.deepcopy(scenario._given) if scenario._given is not None else scenario.model_dump(exclude_unset=True)
    full = scenario.model_dump(mode="python")
    for path, value in overrides.items():
        _set_path(given, full, str(path), value, source)
    return _validate(given, source)


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario,
    overrides: dict[str, Any] | None = None,
    overrides_source: str = "overrides",
) -> Scenario:
    """Load and validate a scenario from a YAML file, a dict or a Scenario, then apply overrides.

    Args:
        source: path to a YAML file, a mapping of fields, or a Scenario.
        overrides: dotted paths to values, as ``--set`` gives them.
        overrides_source: how error messages name the overrides (the CLI names its options).

    Raises:
        ScenarioError: a missing or malformed file, an unknown field, a wrong value.

    Example:
        >>> load_scenario({"audience": {"size": 200}}).audience.size
        200
    """
    if isinstance(source, Scenario):
        scenario = source
    elif isinstance(source, dict):
        scenario = _validate(source, "scenario")
    else:
        path = Path(source)
        name = str(path)
        if not os.path.exists(path):  # False too for a name the system refuses (too long)
            raise ScenarioError(frame(name, t("scenario.error.no_file")))
        try:
            data = load_yaml_file(path)
        except InputError as exc:
            raise ScenarioError(frame(name, str(exc))) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = t("scenario.error.yaml_where", line=mark.line + 1, column=mark.column + 1) if mark else ""
            problem = getattr(exc, "problem", None) or ""  # PyYAML's own words
            raise ScenarioError(frame(name, t("scenario.error.yaml", where=where), problem)) from None
        if data is None:
            raise ScenarioError(frame(name, t("scenario.error.empty")))
        scenario = _validate(data, name)
    return apply_overrides(scenario, overrides, overrides_source)


_CHOICES = ("text", "name", "path", "list")


def parameter_table() -> list[dict[str, str]]:
    """Every parameter with its path, default, unit, description and source (for the docs).

    A numeric parameter without a published source is marked ``assumption``.

    Example:
        >>> rows = parameter_table()
        >>> rows[0]["path"]
        'name'
    """
    rows: list[dict[str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            path = f"{prefix}{name}"
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, _Params):
                walk(annotation, path + ".")
                continue
            extra = field.json_schema_extra or {}
            default = field.get_default(call_default_factory=True) if not field.is_required() else "required"
            rows.append(
                {
                    "path": path,
                    "default": "" if default is None else str(default),
                    "unit": str(extra.get("unit", "")),
                    "description": field.description or "",
                    "source": str(extra.get("source") or ("-" if extra.get("unit") in _CHOICES else "assumption")),
                }
            )
            if path == "objectives":
                walk(Objective, "objectives[].")
            if path == "crises":
                walk(CrisisParams, "crises[].")

    walk(Scenario, "")
    return rows


def field_bounds(path: str) -> tuple[float, float]:
    """The range a numeric field accepts (``ge``/``gt`` to ``le``/``lt``): a slider's range, never a silent clamp.

    Raises:
        ValueError: a field without both bounds.

    Example:
        >>> field_bounds("strategy.posts_per_week")
        (0, 500)
    """
    model: type[BaseModel] = Scenario
    *sections, name = path.split(".")
    for section in sections:
        model = model.model_fields[section].annotation  # type: ignore[assignment]
    bounds = {key: getattr(m, key) for m in model.model_fields[name].metadata for key in ("ge", "gt", "le", "lt")
              if getattr(m, key, None) is not None}  # fmt: skip
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    if low is None or high is None:
        raise ValueError(f"{path}: no range in the schema")
    return low, high
