"""Prompts in other languages: language detection and English glosses the planner reads."""

from __future__ import annotations

import time

import pytest

from kinema.engines.procedural.languages import detect_language, gloss


def words(text: str) -> set[str]:
    return {w.strip(".,:;!?\"'") for w in text.lower().split()}


@pytest.mark.parametrize(
    ("line", "language"),
    [("¿Dónde está mi gato?", "es"), ("Où est mon chat ?", "fr"),
     ("Wo ist meine Katze?", "de"), ("Onde está o meu gato?", "pt"),
     ("Dov'è il mio gatto?", "it"), ("Where is my cat?", "en"),
     ("내 고양이 어디 있어?", "ko"), ("私の猫はどこ？", "ja"), ("我的猫在哪里？", "cmn"),
     ("Где моя кошка?", "ru"), ("I can't believe it worked", "en"),
     ("Je n'arrive pas à y croire", "fr")],
)
def test_detect_language_of_short_lines(line: str, language: str) -> None:
    assert detect_language(line) == language


def test_too_short_to_tell_falls_back_to_the_default() -> None:
    assert detect_language("ok", default="de") == "de"
    assert detect_language("...", default="fr") == "fr"


@pytest.mark.parametrize(
    ("prompt", "language", "expected"),
    [
        ("토끼가 들판에서 뛰어요", "ko", {"rabbit", "field", "runs"}),
        ("해변에서 선글라스를 쓴 강아지가 달린다", "ko", {"beach", "sunglasses", "dog", "runs"}),
        ("ウサギが野原を走る", "ja", {"rabbit", "field", "runs"}),
        ("二匹の猫がキッチンで踊る", "ja", {"two", "cats", "kitchen", "dance"}),
        ("兔子在田野里奔跑", "cmn", {"rabbit", "field", "runs"}),
        ("戴着墨镜的狗在海滩上跑", "cmn", {"sunglasses", "dog", "beach", "runs"}),
        ("un perro con gafas de sol corre en la playa", "es",
         {"dog", "sunglasses", "runs", "beach"}),
        ("un chien avec des lunettes de soleil court sur la plage", "fr",
         {"dog", "sunglasses", "runs", "beach"}),
        ("ein Hund mit Sonnenbrille läuft am Strand", "de",
         {"dog", "sunglasses", "runs", "beach"}),
        ("um cachorro de óculos de sol correndo na praia", "pt",
         {"dog", "sunglasses", "running", "beach"}),
    ],
)
def test_prompts_are_glossed_into_the_planners_words(
        prompt: str, language: str, expected: set[str]) -> None:
    result = gloss(prompt)
    assert result.language == language
    assert expected <= words(result.text), result.text
    assert not result.unknown


def test_korean_and_japanese_clauses_read_subject_verb_place() -> None:
    # The planner links verbs to the subject before them and words to what follows.
    assert gloss("토끼가 들판에서 뛰어요").text == "a rabbit runs in the field"
    assert gloss("용을 탄 기사가 성 위를 날아간다").text.startswith("a knight riding a dragon")
    assert gloss("宇宙に浮かぶ宇宙飛行士").text == "an astronaut floating in the space"


def test_counts_come_before_their_noun() -> None:
    assert "three penguins" in gloss("펭귄 세 마리가 얼음 위를 미끄러진다").text
    assert "three penguins" in gloss("三只企鹅在冰上滑行").text
    assert "two cats" in gloss("dos gatos bailando en la cocina").text
    assert "two cats" in gloss("zwei Katzen tanzen in der Küche").text


def test_romance_adjectives_move_before_their_noun() -> None:
    assert "a red car" in gloss("un coche rojo en la carretera").text
    assert "a yellow umbrella" in gloss("un homme avec un parapluie jaune").text


def test_quoted_dialogue_is_kept_verbatim() -> None:
    result = gloss('María dice: "¿Dónde está mi gato?"')
    assert result.text == 'María says: "¿Dónde está mi gato?"'
    japanese = gloss("猫が「お腹すいた」と言う")
    assert japanese.text == "a cat says 「お腹すいた」"
    korean = gloss('철수가 "안녕"이라고 말하고 영희가 "반가워"라고 대답한다')
    assert korean.text == '철수 says "안녕" 영희 replies "반가워"'
    two = gloss("猫が「お腹すいた」と言って、犬が「僕も」と答える")
    assert two.text == "a cat says 「お腹すいた」 a dog replies 「僕も」"


def test_names_stay_subjects() -> None:
    assert gloss("철수가 뛴다").text == "철수 runs"
    assert gloss("철수와 영희가 공원에서 춤을 춘다").text == "철수 and 영희 dance in the park"


def test_script_lines_keep_their_speakers_lines_and_line_breaks() -> None:
    assert gloss("고양이: 안녕\n강아지: 반가워").text == "cat: 안녕\ndog: 반가워"
    assert gloss("男：「ここはどこ？」 女：「わからない」").text == (
        "man: 「ここはどこ？」 woman: 「わからない」")
    assert gloss('Gato 1: "Tengo hambre"\nGato 2: "Yo también"').text == (
        'cat 1: "Tengo hambre"\ncat 2: "Yo también"')
    # A camera direction before a colon is not a speaker.
    aerial = gloss("드론 샷: 눈 덮인 숲 위로 날아가는 독수리")
    assert {"aerial", "eagle", "forest", "flying"} <= words(aerial.text)
    assert "Escena" not in gloss("Escena: un perro en la playa").text


@pytest.mark.parametrize("prompt", ["", "   ", "😀🐶", "!!!", '""', "「」", ":", "a:b:c",
                                    "\x005\x00 토끼가 뛴다", "고양이:"])
def test_odd_input_never_fails(prompt: str) -> None:
    result = gloss(prompt)
    assert isinstance(result.text, str)
    assert detect_language(prompt) in {"en", "ko"}


def test_notes_say_what_each_word_was_taken_as() -> None:
    result = gloss("토끼가 들판에서 뛰어요")
    assert ("토끼가", "rabbit") in result.notes
    assert ("들판에서", "field") in result.notes


def test_english_prompts_come_back_unchanged() -> None:
    result = gloss("a cat surfing a big wave at sunset")
    assert result.text == "a cat surfing a big wave at sunset"
    assert result.language == "en"
    assert result.notes == ()


def test_partly_english_prompts_keep_the_english_words() -> None:
    result = gloss("un gato surfing en la playa")
    assert {"cat", "surfing", "beach"} <= words(result.text)
    assert gloss("a 토끼 running in the 들판").text == "a rabbit running in the field"
    assert gloss("a dog wearing 墨镜 at the beach").text == "a dog wearing sunglasses at the beach"
    stray = gloss("a perro running on the beach")
    assert (stray.text, stray.language) == ("a dog running on the beach", "en")
    assert gloss('Mia says "hola perro" to the dog').text == 'Mia says "hola perro" to the dog'


def test_gloss_and_a_few_subjects_are_quick_after_warm_up() -> None:
    from kinema.engines.procedural.vocabulary import resolve_subject

    for text in ("고양이가 뛴다", "猫が走る", "猫在跑", "un gato corre", "un chat court",
                 "eine Katze läuft", "um gato corre"):
        gloss(text)
    resolve_subject("cat")
    started = time.perf_counter()
    result = gloss("빨간 모자를 쓴 여우가 밤에 숲속을 걷는다")
    for noun in ("fox", "red hat", "owl"):
        resolve_subject(noun)
    assert time.perf_counter() - started < 0.05
    assert {"fox", "hat", "forest", "night"} <= words(result.text)


def test_plainly_english_lines_need_no_detector_and_others_still_get_it() -> None:
    from kinema.engines.procedural import languages

    assert languages._plainly_english_line("What a lovely evening for a walk by the sea")
    assert not languages._plainly_english_line("me gusta mucho la playa")
    assert not languages._plainly_english_line("ich bin mit dir")
    assert languages.detect_language("Where are you going tonight?") == "en"
    assert languages.detect_language("¿Dónde está la playa?") == "es"
    assert languages.detect_language("Je ne sais pas ce que tu veux dire") == "fr"
