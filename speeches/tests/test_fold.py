"""The fold of text (speeches.search.analysis.normalize) is one fold, however long the
text: a long text folds through an array of code points, a short one and one holding a
character beyond the Basic Multilingual Plane through str.translate, and both must give
what str.translate with the fold's table gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from speeches.search.analysis import _FOLD, normalize

# Traditional and simplified forms, variants (陜), full-width signs and letters, Latin
# capitals (İ lowers to two characters), a character beyond the plane, one of the plane
# that folds beyond it (㑮 → 𫝈), spaces.
ALPHABET = "講話讲话發展发展陜西陕西乾坤ＡＢｃ１２３，。（）ABCxyzİß𠀀㑮 \n\t的是在了"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=0, max_size=300))
@example("講話" * 40 + "𠀀")  # long, beyond the plane
@example("İ" * 70)
@example("㑮講話" * 30)  # long, a character that folds beyond the plane
def test_a_text_folds_as_str_translate_folds_it_whatever_its_length(text):
    assert normalize(text) == text.translate(_FOLD)
    assert len(normalize(text)) == len(text)


def test_a_long_text_folds_script_width_and_case():
    text = "講話發展陜西ＡＢＣ１２３" * 10
    assert normalize(text) == "讲话发展陕西abc123" * 10


def test_zhang_of_accounts_and_of_curtains_fold_together_so_either_spelling_finds_both():
    # Texts simplified elsewhere write 台帐 where the canonical text writes 台账.
    assert normalize("台帐") == normalize("台账") == normalize("臺帳") == normalize("臺賬")
    assert normalize("欠帐多") == normalize("欠账多")
