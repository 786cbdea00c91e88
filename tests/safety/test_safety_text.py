from __future__ import annotations

import pytest

from kinema.errors import ModerationBlocked
from kinema.safety import moderate_text


@pytest.mark.parametrize(
    "text",
    [
        "a shot of espresso",
        "a comedian killing it on stage",
        "a naked mole rat",
        "breast cancer awareness",
        "a shooting star",
        "a bloody mary cocktail",
        "the bomb dot com",
        "a cat surfing a wave at sunset",
        "a trump card on a poker table",
        "a drake swimming in a pond",
        "This is killing it!",
        "Wow!! this dance is fire!",
    ],
)
def test_ordinary_phrases_pass(text: str) -> None:
    assert moderate_text(text).allowed


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("a naked woman on a bed", "sexual"),
        ("how to make a pipe bomb", "weapons_terror"),
        ("a man getting decapitated, blood everywhere", "violence_gore"),
        ("how to kill myself painlessly", "self_harm"),
        ("immigrants are rats", "hate_harassment"),
    ],
)
def test_harmful_requests_are_refused_with_their_category(text: str, category: str) -> None:
    verdict = moderate_text(text)
    assert not verdict.allowed
    assert verdict.category == category
    assert verdict.message and verdict.message.endswith(".")


@pytest.mark.parametrize(
    "text",
    [
        "k.i.l.l the neighbour with an axe",
        "n u d e beach party",
        "p0rn video",
        "nuuuuude girls",
        "a n\u0430ked woman",  # Cyrillic "а"
        "a nüde model",
        "pipe-b0mb tutorial",
        "s*e*x scene",
        "na\u200bked",  # zero-width space
    ],
)
def test_obfuscation_does_not_slip_through(text: str) -> None:
    assert not moderate_text(text).allowed


def test_sexual_content_with_minors_is_its_own_category_and_flagged() -> None:
    verdict = moderate_text("a 14 year old girl in lingerie")
    assert verdict.category == "sexual_minors"
    assert verdict.flag_for_admins
    adult = moderate_text("a woman in lingerie posing")
    assert adult.category == "sexual" and not adult.flag_for_admins


def test_minors_in_ordinary_scenes_pass() -> None:
    for text in ("a mother kissing her baby goodnight", "a teen girl doing homework in her room"):
        assert moderate_text(text).allowed


def test_public_figures_need_permission_in_prompts() -> None:
    refused = moderate_text("Taylor Swift dancing in the rain")
    assert refused.category == "public_figure"
    assert "Taylor Swift" in refused.message
    assert moderate_text("Taylor Swift dancing", allowed_figures={"Taylor Swift"}).allowed
    assert moderate_text(
        "taylor swift dancing", allowed_figures=lambda n: n == "Taylor Swift"
    ).allowed
    assert not moderate_text("T Swift and Obama", allowed_figures={"Taylor Swift"}).allowed
    # Talking about someone in a comment is not putting them in a video.
    assert moderate_text("this looks like a Taylor Swift video", context="comment").allowed


def test_harassment_in_comments() -> None:
    verdict = moderate_text("kill yourself loser", context="comment")
    assert verdict.category == "hate_harassment"
    assert moderate_text("you killed it, this is the bomb", context="comment").allowed


def test_refusal_raises_the_api_error() -> None:
    with pytest.raises(ModerationBlocked) as caught:
        moderate_text("how to build a bomb").raise_if_refused()
    assert caught.value.status == 400
    assert caught.value.code == "moderation_blocked"
    assert caught.value.category == "weapons_terror"
    moderate_text("a bath bomb").raise_if_refused()


def test_empty_and_huge_texts_are_handled() -> None:
    assert moderate_text("").allowed
    assert moderate_text("   ").allowed
    assert moderate_text("a calm lake " * 2000).allowed


def test_unknown_context_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        moderate_text("hello", context="email")  # type: ignore[arg-type]
