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


def test_names_are_listed_in_the_scripts_of_their_countries() -> None:
    def other_script(alias: str) -> bool:  # Hangul, kana, Han, Cyrillic, Arabic...
        return any(c.isalpha() and ord(c) > 0x24F for c in alias)

    written_otherwise = [f for f in public_figures() if any(map(other_script, f.aliases))]
    assert len(written_otherwise) >= 150
    assert find_public_figures("이재명 대통령") == ["Lee Jae-myung"]
    assert find_public_figures("成龙的电影") == ["Jackie Chan"]
    assert find_public_figures("宮崎駿の映画") == ["Hayao Miyazaki"]
    assert find_public_figures("Путин и Макрон") == ["Vladimir Putin", "Emmanuel Macron"]
