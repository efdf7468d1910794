"""How one channel sees the day: its profile (keywords), its taste (👍 and 👎 papers) and its followed authors.

Every ranking function takes one ChannelView instead of the loose profile, taste and follows it is made of;
the Ranker (analysis.ranking.ranker) brings the LLM and the cache."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.profile import Profile
from analysis.ranking.taste import Taste


@dataclass(frozen=True)
class ChannelView:
    profile: Profile = field(default_factory=Profile)
    taste: Taste = field(default_factory=Taste)
    follows: tuple[str, ...] = ()  # author names, as the team typed them
