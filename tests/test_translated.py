"""Console text in other languages reads as its English would."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import curves

from lossdoctor.parsers.translated import in_english


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_words_are_written_in_english_and_set_apart():
    assert in_english(["Epoch 16 完成 | 训练损失: 4.6130 | 验证损失：6.0073"]) == \
        ["Epoch 16 完成 | train loss: 4.6130 | val loss: 6.0073"]
    assert in_english(["Época 3: pérdida de entrenamiento: 0.5"]) == \
        ["epoch 3: loss de train: 0.5"]
    assert in_english(["Эпоха: 100 | Train Loss: 0.08"]) == ["epoch: 100 | Train Loss: 0.08"]


def test_english_text_is_the_same_list():
    lines = ["Epoch 1 loss: 0.3 - val_loss: 0.4", "perdidas 3"]   # 'perdidas' is no word here
    assert in_english(lines) is lines


@pytest.mark.parametrize("line,train,test", [
    ("Epoch {e} 完成 | 训练损失: {a:.4f} | 验证损失: {b:.4f} | 时间: 385.8s",
     "train loss", "val loss"),
    ("Época {e} - pérdida entrenamiento: {a:.4f} - pérdida validación: {b:.4f}",
     "loss train", "loss val"),
    ("Эпоха {e}: потери обучения: {a:.4f}, потери валидации: {b:.4f}", "loss train", "loss val"),
])
def test_a_console_log_in_another_language(tmp_path, line, train, test):
    text = "".join(line.format(e=e, a=2 / e + 0.5, b=2.2 / e + 0.6) + "\n" for e in range(1, 21))
    got, log = curves(write(tmp_path / "train.log", text))
    assert got["train"][1] == pytest.approx([round(2 / e + 0.5, 4) for e in range(1, 21)])
    assert got["test"][1] == pytest.approx([round(2.2 / e + 0.6, 4) for e in range(1, 21)])
    assert got["train"][0] == [float(e) for e in range(1, 21)]
    assert set(log.frame["metric"]) == {train, test}


def test_a_closing_best_value_is_an_echo_of_the_test_loss(tmp_path):
    """Each new best printed again under another name ('验证集损失', val loss) and, after
    the last epoch, the best so far: an echo, dropped; the test curve is the evaluations'."""
    lines = []
    best = 9.0
    for e in range(1, 31):
        val = 0.7 / e ** 0.5 + (0.02 if e % 4 == 0 else 0)
        lines += [f"[Train] Epoch {e:03d}: loss = {1 / e:.6f}",
                  f"[Test] Epoch {e:03d}: loss = {val:.6f}"]
        if val < best:
            best = val
            lines.append(f"发现当前最优模型 (Epoch {e}) | 验证集损失: {val:.6f} | 已保存")
    lines.append(f"记录的最优验证集损失: {best:.6f}")
    got, log = curves(write(tmp_path / "train.log", "\n".join(lines) + "\n"))
    assert len(got["test"][1]) == 30 and set(log.frame["metric"]) == {"train loss", "test loss"}
    assert any("repeats 'test loss'" in n for n in log.notes)


def test_a_line_that_prints_a_name_twice_keeps_the_first(tmp_path):
    """An old Keras progress bar overwritten by its last update keeps the tail of a longer
    one: 'loss: 0.0854 - acc: 0.99     - ETA: 0s - loss: 0.0843': the first value is the
    epoch's."""
    text = "".join(f"Epoch {e}/30\n1340/1340 [=====] - 0s - loss: {1 / e:.4f} - acc: 0.99"
                   f"     - ETA: 0s - loss: {1 / e + 0.5:.4f} - acc\n" for e in range(1, 31))
    got, _ = curves(write(tmp_path / "train.log", text))
    assert got["train"][1] == pytest.approx([round(1 / e, 4) for e in range(1, 31)])
