"""What every check returns: allowed or not, which rule, and a sentence for the person."""

from __future__ import annotations

from dataclasses import dataclass

from kinema.errors import ModerationBlocked

SEXUAL = "sexual"
SEXUAL_MINORS = "sexual_minors"
VIOLENCE_GORE = "violence_gore"
SELF_HARM = "self_harm"
HATE_HARASSMENT = "hate_harassment"
PUBLIC_FIGURE = "public_figure"
WEAPONS_TERROR = "weapons_terror"

CATEGORIES = (
    SEXUAL_MINORS,
    WEAPONS_TERROR,
    SELF_HARM,
    SEXUAL,
    VIOLENCE_GORE,
    HATE_HARASSMENT,
    PUBLIC_FIGURE,
)

MESSAGES = {
    SEXUAL: "Kinema doesn't make or show sexual content or nudity.",
    SEXUAL_MINORS: "Kinema never makes sexual content involving minors. This request was "
    "recorded for the administrators.",
    VIOLENCE_GORE: "Kinema doesn't make graphic violence or gore.",
    SELF_HARM: "Kinema doesn't make content about suicide or self-harm. If you are "
    "struggling, please reach out to someone you trust or a local crisis line.",
    HATE_HARASSMENT: "Kinema doesn't allow hateful or harassing content.",
    PUBLIC_FIGURE: "Kinema doesn't put real public figures in videos unless they have made "
    "a character and allow it.",
    WEAPONS_TERROR: "Kinema doesn't help with weapons, explosives or terrorism.",
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check. ``category`` is None when allowed; ``flag_for_admins``
    marks refusals the administrators must see (sexual content involving minors)."""

    allowed: bool
    category: str | None = None
    message: str = ""
    flag_for_admins: bool = False
    matched: str = ""  # what triggered the refusal, for the moderation log (not the user)

    @classmethod
    def allow(cls) -> Verdict:
        return cls(allowed=True)

    @classmethod
    def refuse(cls, category: str, *, matched: str = "", message: str = "") -> Verdict:
        return cls(
            allowed=False,
            category=category,
            message=message or MESSAGES[category],
            flag_for_admins=category == SEXUAL_MINORS,
            matched=matched,
        )

    def raise_if_refused(self) -> None:
        """Raise ``ModerationBlocked`` (HTTP 400, code ``moderation_blocked``) if refused."""
        if not self.allowed and self.category is not None:
            raise ModerationBlocked(self.message, category=self.category)
