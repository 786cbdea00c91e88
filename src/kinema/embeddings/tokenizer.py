"""A plain WordPiece tokenizer (uncased BERT rules) over the shipped vocabulary, so the
static embedding model loads with NumPy alone."""

from __future__ import annotations

import unicodedata
from pathlib import Path

_MAX_WORD_CHARS = 100


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT treats every non-alphanumeric ASCII symbol as punctuation, "$" and "^" too.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def _normalize(text: str) -> str:
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in "\t\n\r" or category == "Zs":
            out.append(" ")
        elif category in ("Cc", "Cf"):
            continue
        elif _is_cjk(code):
            out.append(f" {char} ")
        else:
            out.append(char)
    lowered = "".join(out).lower()
    return "".join(
        c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn"
    )


def _split_words(text: str) -> list[str]:
    words: list[str] = []
    for chunk in text.split():
        current = ""
        for char in chunk:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPieceTokenizer:
    """Turns text into vocabulary ids the way the uncased BERT tokenizer does."""

    def __init__(self, tokens: list[str], unk_token: str = "[UNK]") -> None:
        self.tokens = tokens
        self.ids = {token: index for index, token in enumerate(tokens)}
        self.unk_id = self.ids.get(unk_token, -1)

    @classmethod
    def from_vocab_file(cls, path: Path) -> WordPieceTokenizer:
        """Load one token a line; the line number is the token id."""
        return cls(path.read_text(encoding="utf-8").split("\n")[:-1])

    def encode(self, text: str) -> list[int]:
        """Token ids for ``text``; unknown words are dropped (they carry no meaning here)."""
        result: list[int] = []
        for word in _split_words(_normalize(text)):
            result.extend(self._word_pieces(word))
        return result

    def _word_pieces(self, word: str) -> list[int]:
        if len(word) > _MAX_WORD_CHARS:
            return []
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = -1
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                index = self.ids.get(candidate)
                if index is not None:
                    found = index
                    break
                end -= 1
            if found < 0:
                return []
            pieces.append(found)
            start = end
        return pieces
