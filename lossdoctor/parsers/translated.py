"""Console text in other languages: its words for loss, train, validation, test and epoch
written in English, so that one reader reads ``Epoch 16 | 训练损失: 4.61 | 验证损失: 6.01``
as it reads ``Epoch 16 | train loss: 4.61 | val loss: 6.01``.

Only these words are rewritten (and the full-width colon); a text whose first and last
lines hold none of them is returned as it is.
"""
from __future__ import annotations

import re

#: Chinese and Japanese words, which stand between other characters with no blanks
CJK_WORDS: dict[str, str] = {
    "损失": "loss", "損失": "loss", "训练": "train", "訓練": "train", "学習": "train",
    "验证": "val", "驗證": "val", "検証": "val", "测试": "test", "測試": "test",
}
#: Spanish, Portuguese, French, German, Italian and Russian words (whole words)
WORDS: dict[str, str] = {
    "pérdida": "loss", "perdida": "loss", "perda": "loss", "perte": "loss",
    "verlust": "loss", "perdita": "loss", "потери": "loss", "потеря": "loss",
    "entrenamiento": "train", "treino": "train", "treinamento": "train",
    "entraînement": "train", "entrainement": "train", "addestramento": "train",
    "обучение": "train", "обучения": "train",
    "validación": "val", "validacion": "val", "validação": "val", "validierung": "val",
    "validazione": "val", "валидация": "val", "валидации": "val",
    "prueba": "test", "teste": "test", "тест": "test",
    "época": "epoch", "epoca": "epoch", "époque": "epoch", "эпоха": "epoch",
}
_ENGLISH = {**CJK_WORDS, **WORDS}


def _alternatives(words: dict[str, str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_WORD = re.compile(rf"{_alternatives(CJK_WORDS)}|\b(?:{_alternatives(WORDS)})\b|\uff1a",
                   re.IGNORECASE)

_BLANKS = re.compile(r"  +")
#: lines at each end of a log searched for these words before any line is rewritten
SAMPLE = 2000


def in_english(lines: list[str]) -> list[str]:
    """``lines`` with the words above in English, each set apart by blanks (and a
    full-width colon as ': '); the same list when its ends hold none of them."""
    if not _WORD.search("\n".join(lines[:SAMPLE] + lines[-SAMPLE:])):
        return lines        # (a log keeps its language: its head and end tell)
    return [_BLANKS.sub(" ", _WORD.sub(_english, ln)) if _WORD.search(ln) else ln
            for ln in lines]


def _english(m: re.Match[str]) -> str:
    """The English word, with a blank on each side where a letter or digit touches it."""
    word, text = m.group(0), m.string
    if word == "\uff1a":
        return ": "
    before = " " if m.start() and text[m.start() - 1].isalnum() else ""
    after = " " if m.end() < len(text) and text[m.end()].isalnum() else ""
    return f"{before}{_ENGLISH[word.lower()]}{after}"
