from __future__ import annotations

from kinema.safety import add_public_figures, find_public_figures, moderate_text, public_figures


def test_shipped_list_is_large_with_aliases() -> None:
    figures = public_figures()
    assert len(figures) >= 300
    assert sum(1 for f in figures if f.aliases) >= 100


def test_aliases_accents_and_possessives_are_recognised() -> None:
    assert find_public_figures("AOC at a town hall") == ["Alexandria Ocasio-Cortez"]
    assert find_public_figures("Timothée Chalamet's cat") == ["Timothee Chalamet"]
    assert find_public_figures("obama and biden") == ["Barack Obama", "Joe Biden"]
    assert find_public_figures("a musk ox in the snow") == []


def test_admin_additions_take_effect() -> None:
    prompt = "Zanzibar Quillfeather juggling on stage"
    assert moderate_text(prompt).allowed
    add_public_figures(["Zanzibar Quillfeather|Quillfeather"])
    assert moderate_text(prompt).category == "public_figure"
    assert moderate_text("quillfeather on a bike").category == "public_figure"
