"""Whose eyes the digest takes: persona, interests, language, and the words we say in that language."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    persona: str = "Image Restoration researcher"
    keywords: list[str] = field(
        default_factory=lambda: [
            "Image Restoration", "Masked Autoregressive", "Flow Matching", "Super-Resolution", "Diffusion",
        ]
    )
    language: str = "zh"
    title: str = "CV 论文日报"

    def say(self, key: str, **values: object) -> str:
        """A short sentence of ours (not the LLM's) in the profile's language; English otherwise."""
        table = _PHRASES.get(self.language.split("-")[0].lower(), _PHRASES["en"])
        return table.get(key, _PHRASES["en"][key]).format(**values)


_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "no_llm": "A deep dive needs an LLM: set LLM_MODEL (and LLM_API_KEY) to get one.",
        "llm_failed": "The LLM could not analyse this paper today ({why}).",
        "keyword_reason": "keyword match: {hits}",
        "keyword_none": "no keyword match",
        "keyword_note": "Scores are keyword-based today ({why}).",
        "no_model": "no LLM configured",
        "llm_down": "LLM unavailable",
        "budget": "today's LLM budget, LLM_DAILY_BUDGET_USD, is spent",
        "partial_note": "{n} paper(s) were keyword-scored because the LLM did not score them.",
        "source_missing": "{source} could not be reached today, so this digest has no papers from it ({why})",
        "listing_partial": "The arXiv listing is incomplete: {n} of {total} papers ({why}).",
        "no_announcement": "arXiv made no announcement dated {day} (it does not announce on weekends and holidays).",
        "no_new_announcement": "No new arXiv announcement since {day}'s (arXiv does not announce on weekends and "
                               "holidays); the next one comes with the next digest.",
        "announcement_pending": "arXiv's API lists nothing yet for the announcement of {day}; it comes with the "
                                "next digest.",
        "not_llm_scored": "not LLM-scored",
        "taste_note": "Ranked by the team's taste ({n} liked papers).",
        "similarity_note": "Ranked by similarity to the {n} paper(s) the team liked.",
        "similar_reason": "like your 《{title}》 (taste {n})",
        "followed_reason": "👤 followed author: {names}",
        "rebuilt": "Hugging Face was unreachable: this digest was rebuilt from the papers stored for this day.",
        "abstract_only": "(Based on the abstract only: arXiv had no full text.)",
    },
    "zh": {
        "no_llm": "深度解读需要 LLM：请设置 LLM_MODEL（以及 LLM_API_KEY）。",
        "llm_failed": "今天 LLM 未能解读这篇论文（{why}）。",
        "keyword_reason": "关键词匹配：{hits}",
        "keyword_none": "未匹配到关键词",
        "keyword_note": "今日评分基于关键词匹配（{why}）。",
        "no_model": "未配置 LLM",
        "llm_down": "LLM 不可用",
        "budget": "今日 LLM 预算 LLM_DAILY_BUDGET_USD 已用完",
        "partial_note": "{n} 篇论文因 LLM 未给出评分而改用关键词评分。",
        "source_missing": "今日未能连上 {source}，本期不含其论文（{why}）",
        "listing_partial": "arXiv 列表不完整：只取到 {total} 篇中的 {n} 篇（{why}）。",
        "no_announcement": "arXiv 没有 {day} 的公告（arXiv 周末和假日不公告）。",
        "no_new_announcement": "arXiv 自 {day} 公告以来没有新公告（周末和假日不公告），下一期日报会带上下次公告。",
        "announcement_pending": "arXiv API 还没有 {day} 公告的论文，下一期日报会带上。",
        "not_llm_scored": "未经 LLM 评分",
        "taste_note": "按团队口味排序（{n} 篇喜欢的论文）",
        "similarity_note": "按与团队喜欢的 {n} 篇论文的相似度排序",
        "similar_reason": "像你们喜欢的 《{title}》（口味 {n}）",
        "followed_reason": "👤 关注的作者：{names}",
        "rebuilt": "Hugging Face 无法访问：本日报由数据库中保存的当日论文重建。",
        "abstract_only": "（基于摘要）",
    },
}
