"""The written parts of a prompt: dialogue in screenplay form and text to show.

People write dialogue in several ways: ``the cat says "hi"``, screenplay lines
(``Mia: "Are you coming?"`` or ``Mia: Are you coming?``) and speech after a colon
(``the dog says: I'm hungry``). ``normalise_dialogue`` rewrites the last two into the
first, which the planner reads, and remembers the names it saw so that "Mia" becomes a
person called Mia. Text the prompt asks to *show* ("text 'Nova X' appears", "a sign
that says 'Open'") is taken out by ``take_titles``: it becomes a title or a sign, not
speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Labels before a colon that are not someone speaking.
_NOT_SPEAKERS = frozenset((
    "shot", "scene", "pov", "note", "notes", "style", "camera", "setting", "location",
    "music", "sound", "sounds", "audio", "sfx", "text", "caption", "captions", "title",
    "subtitle", "ending", "prompt", "description", "action", "mood", "lighting", "vibe",
    "aesthetic", "format", "duration", "length", "time", "place", "characters",
    "character", "cast", "background", "voiceover", "vo", "effects", "genre", "tone",
    "end", "final", "intro", "outro", "ps", "p.s", "edit", "update", "theme", "idea",
))
_NARRATORS = frozenset(("narrator", "narration", "voice-over", "voice over", "voiceover",
                        "vo", "v.o", "announcer"))
_SPEECH_TAIL = re.compile(
    r"\s+(?:says|said|asks|asked|shouts|yells|whispers|replies|answers|sings|goes|"
    r"screams|exclaims|adds|responds)$", re.IGNORECASE)
# A label: up to four words (a name, "Cat 1", "The old man", "엄마") before a colon, at
# the start, after a sentence or after a closing quote.
_LABEL = re.compile(
    r"(?:^|(?<=[.!?\n\"”»」』。！？'’])|(?<=[.!?。！？]\s))\s*"
    r"(?P<label>[^\W\d_][\w'’-]*(?:[ \t]+[\w'’-]+){0,3}?)"
    r"(?:[ \t]*[(\[][^)\]\n]{1,30}[)\]])?[ \t]*(?:[:：]\s+|[:：](?=[\"“«「『]))",
    re.UNICODE,
)
_QUOTE_OPEN = "\"“«「『'‘"
_QUOTE_CLOSE = {"\"": "\"", "“": "”", "«": "»", "「": "」", "『": "』", "'": "'", "‘": "’"}
_UNQUOTED_AFTER_VERB = re.compile(
    r"\b(?P<verb>says|said|asks|shouts|yells|whispers|replies|answers|sings|exclaims|"
    r"responds|tells|says to)(?P<mid>(?:[ \t]+[\w'’-]+){0,3}?)\s*[:：]\s*"
    r"(?P<text>[^\s\"“”«»「」『』][^\"“”«»「」『』\n]*?)"
    r"(?=\s*(?:$|\n|[\"“«「『]|"
    r"\b(?:then|and then|while)\b))",
    re.IGNORECASE,
)


# Quotation marks the planner does not read, turned into ones it does: German „…“ and
# »…«, and ‚…‘.
_OTHER_QUOTES = [
    re.compile(r"„([^“”\"\n]+)[“”\"]"),
    re.compile(r"»([^«\n]+)«"),
    re.compile(r"‚([^‘’\n]+)[‘’]"),
]
# Spanish and other dialogue written with dashes: "—¿Vienes? —pregunta Ana."
_DASH_LINE = re.compile(
    r"(?m)^[ \t]*[—―–][ \t]*(?P<said>[^—―–\n]+?)[ \t]*(?:[—―–][ \t]*(?P<tag>[^\n]*?))?[ \t]*$")


def normalise_quotes(text: str) -> str:
    """Every way of quoting speech, in one form: „Hallo“ -> "Hallo"; a dash line
    "—Hola —dice Ana" -> 'dice Ana "Hola"'."""
    french = "«" in text and text.index("«") < text.find("»")
    for pattern in _OTHER_QUOTES:
        if french and pattern.pattern.startswith("»"):
            continue  # « qui ? » et « moi ! »: French quotes, not German »…« ones
        text = pattern.sub(r'"\1"', text)

    def dash(m: re.Match[str]) -> str:
        said = m.group("said").strip()
        tag = (m.group("tag") or "").strip().rstrip(".")
        return f'{tag} "{said}".' if tag else f'"{said}"'

    return _DASH_LINE.sub(dash, text)


@dataclass
class Title:
    text: str
    kind: str  # "title" or "sign"


@dataclass
class Dialogue:
    """The prompt with its dialogue in one form, and the speaker names found."""

    text: str
    names: list[str] = field(default_factory=list)  # as written: "Mia", "Cat 1"


_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                 "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
                 "a": "A", "b": "B"}


def _speaker_label(raw: str) -> str | None:
    label = _SPEECH_TAIL.sub("", raw.strip()).strip(" -–—*")
    # "the teacher asks the class": the one who asks.
    label = re.sub(r"\s+(?:says|asks|tells|shouts|yells|whispers|replies|answers)\b.*$", "",
                   label, flags=re.IGNORECASE)
    # "cat one", "Cat #2": numbered the same way ("Cat 1", "Cat 2").
    label = re.sub(r"\s+#?(one|two|three|four|five|six|seven|eight|nine|ten|\d+)$",
                   lambda m: " " + _NUMBER_WORDS.get(m.group(1).lower(), m.group(1)), label,
                   flags=re.IGNORECASE)
    words = label.lower().split()
    if not words or words[0].rstrip(".") in _NOT_SPEAKERS:
        return None
    if len(label) > 32 or any(w in ("and", "then", "while", "with", "in", "at", "on", "of",
                                     "to", "from", "into", "is", "are") for w in words):
        return None
    return label


# Japanese and Chinese scripts put the speaker's name right before the quote:
# ユキ「また明日ね」.
_NAME_THEN_QUOTE = re.compile(
    r"(?:^|(?<=[。．.!?！？\s」』\n]))(?P<label>[^\W\d_][^\W\d]{0,7}?)[ \t]*(?=[「『])")


def normalise_dialogue(prompt: str) -> Dialogue:
    """Screenplay lines and speech after a colon become ``Name says "…".`` sentences."""
    names: list[str] = []
    text = _UNQUOTED_AFTER_VERB.sub(
        lambda m: f'{m.group("verb")}{m.group("mid")} "{m.group("text").strip()}"', prompt)
    if "「" in text or "『" in text:
        text = _NAME_THEN_QUOTE.sub(lambda m: f'{m.group("label")}: ', text)
    labels = [m for m in _LABEL.finditer(text) if _speaker_label(m.group("label"))]
    if not labels:
        return Dialogue(text=text, names=names)
    # Screenplay form needs a quote after a label, or two labels, so "Style: anime" or a
    # lone "Note: ..." stays description.
    quoted = [m for m in labels if text[m.end(): m.end() + 1] in _QUOTE_OPEN]
    if not quoted and len(labels) < 2:
        return Dialogue(text=text, names=names)
    out: list[str] = [text[: labels[0].start()]]
    for k, m in enumerate(labels):
        label = _speaker_label(m.group("label")) or ""
        end = labels[k + 1].start() if k + 1 < len(labels) else len(text)
        body = text[m.end(): end].strip()
        speech, rest = _split_speech(body)
        if not speech:
            out.append(text[m.start(): end])
            continue
        if label.lower() in _NARRATORS:
            out.append(f' The narrator says "{speech}". {rest}')
        else:
            if label not in names:
                names.append(label)
            out.append(f' {label} says "{speech}". {rest}')
    return Dialogue(text=re.sub(r"\s+", " ", "".join(out)).strip(), names=names)


def _split_speech(body: str) -> tuple[str, str]:
    """``("what is said", "description after it")`` for the text after a label."""
    if body and body[0] in _QUOTE_OPEN:
        close = _QUOTE_CLOSE[body[0]]
        end = body.find(close, 1)
        if end > 0:
            return body[1:end].strip(), body[end + 1:].strip(" .")
    # Unquoted: up to the end of the line; stage directions in brackets stay out.
    line = body.split("\n", 1)[0]
    line = re.sub(r"\([^)]*\)|\[[^\]]*\]|\*[^*]*\*", " ", line)
    return line.strip().strip("\"“”"), ""


_Q = r"(?:\"([^\"]+)\"|“([^”]+)”|«([^»]+)»|「([^」]+)」|『([^』]+)』|'([^']+)'|‘([^’]+)’)"
_AFTER = (r"(?:\s+(?:in\s+(?:big|bold|large|huge|neon|glowing|gold|golden|white|red|"
          r"black|pink)\s+letters|on(?:\s+the)?\s+screen|at the (?:end|top|bottom|start)|"
          r"appears|appear|pops up|fades in|flashes|shows up))?")
_THINGS_WITH_WORDS = frozenset(("t-shirt", "shirt", "cake", "screen"))
_TITLE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:a\s+|an\s+|the\s+)?(?:neon\s+|wooden\s+|big\s+|shop\s+|street\s+)?"
                r"(?P<thing>sign|signs|banner|billboard|poster|placard|signboard|board|"
                r"menu board|chalkboard|blackboard|whiteboard|marquee|t-shirt|shirt|cake|"
                r"screen)\s+"
                r"(?:that\s+|which\s+)?(?:says|saying|reads|reading|said|with the words|"
                r"with|showing|shows|displaying|displays|written|:)\s*[:,]?\s*" + _Q,
                re.IGNORECASE), "sign"),
    (re.compile(r"\b(?:the\s+|a\s+|an\s+)?(?:on-screen\s+|onscreen\s+|big\s+|bold\s+|"
                r"glowing\s+|neon\s+|3d\s+)?(?:text|title|title card|caption|subtitle|"
                r"words|word|letters|headline|logo|end card|lower third|tagline)\s*"
                r"(?:that\s+|which\s+)?(?:says|saying|reads|reading|spelling|spells|"
                r"showing|appears|appearing|pops up|:)?\s*[:,]?\s*" + _Q + _AFTER,
                re.IGNORECASE), "title"),
    (re.compile(_Q + r"\s+(?:appears|appear|is written|written|flashes|pops up|fades in|"
                r"shows up|comes up|is displayed|displayed)" + _AFTER,
                re.IGNORECASE), "title"),
]


# Unquoted words in capitals on a sign: "a neon sign that says KARAOKE".
_CAPS_SIGN = re.compile(
    r"\b(?P<thing>sign|banner|billboard|poster|placard|signboard|marquee)\s+(?:that\s+|which\s+)?"
    r"(?:says|saying|reads|reading|with the words|spelling)\s*:?\s*"
    r"(?P<words>[A-Z0-9][A-Z0-9'’!&?.-]*(?:\s+[A-Z0-9][A-Z0-9'’!&?.-]*)*)\b")


def take_titles(text: str) -> tuple[str, list[Title]]:
    """Take the text to show out of ``text``: ``(the rest, titles and signs)``."""
    titles: list[Title] = []

    def caps(m: re.Match[str]) -> str:
        titles.append(Title(text=m.group("words").strip(), kind="sign"))
        return " "

    text = _CAPS_SIGN.sub(caps, text)
    for pattern, kind in _TITLE_PATTERNS:
        def keep(m: re.Match[str], kind: str = kind) -> str:
            thing = (m.groupdict().get("thing") or "").lower()
            words = next(g for g in m.groups()[1 if thing else 0:] if g is not None).strip()
            titles.append(Title(text=words, kind=kind))
            # The thing the words are on stays in the scene: "a cake that says ...".
            return f" {thing} " if thing in _THINGS_WITH_WORDS else " "

        text = pattern.sub(keep, text)
    return re.sub(r"\s+", " ", text).strip(), titles


# Words for a sign or a title in the languages prompts are glossed from; a quote next to
# one is text to show ("카페 간판에 "오늘도 맑음"", "「夏祭り」というタイトル",
# "un cartel que dice "Abierto"").
_SIGN_WORDS = (
    "간판", "표지판", "현수막", "팻말", "포스터", "看板", "標識", "張り紙", "貼り紙", "ポスター",
    "招牌", "牌子", "横幅", "海报", "cartel", "letrero", "anuncio", "rótulo", "pancarta",
    "pancarte", "panneau", "enseigne", "affiche", "Schild", "Plakat", "Banner", "placa",
    "letreiro", "faixa", "cartaz",
)
_TITLE_WORDS = (
    "자막", "제목", "타이틀", "문구", "글자", "タイトル", "字幕", "テロップ", "文字", "标题",
    "標題", "título", "titulo", "texto", "titre", "texte", "Titel", "Text", "Schriftzug",
    "Untertitel", "legenda",
)
_NEAR = r"[^\"“”«»「」『』\n]{0,14}?"


def _words_pattern(words: tuple[str, ...]) -> str:
    # Latin words stand alone ("texto", not "texts"); CJK words sit inside a sentence.
    latin = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)
                     if w.isascii() or w[0].isascii())
    cjk = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)
                   if not (w.isascii() or w[0].isascii()))
    return rf"(?:(?<![^\W\d_])(?:{latin})(?![a-zA-ZÀ-ÿ])|{cjk})"


_FOREIGN_TITLES = [
    (re.compile(_words_pattern(_SIGN_WORDS) + _NEAR + _Q, re.IGNORECASE), "sign"),
    (re.compile(_words_pattern(_TITLE_WORDS) + _NEAR + _Q, re.IGNORECASE), "title"),
    (re.compile(_Q + _NEAR + _words_pattern(_SIGN_WORDS), re.IGNORECASE), "sign"),
    (re.compile(_Q + _NEAR + _words_pattern(_TITLE_WORDS), re.IGNORECASE), "title"),
]


def take_titles_any_language(text: str) -> tuple[str, list[Title]]:
    """Text to show in a prompt written in another language, taken out before the
    prompt is read in English: ``(the rest, titles and signs)``."""
    titles: list[Title] = []
    for pattern, kind in _FOREIGN_TITLES:
        def keep(m: re.Match[str], kind: str = kind) -> str:
            words = next(g for g in m.groups() if g is not None).strip()
            titles.append(Title(text=words, kind=kind))
            return " "

        text = pattern.sub(keep, text)
    return text, titles
