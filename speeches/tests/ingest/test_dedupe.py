import subprocess
import sys
from pathlib import Path

from speeches.ingest.dedupe import (
    EMPTY,
    NEAR_DUPLICATE_THRESHOLD,
    SIGNATURE_SIZE,
    band_keys,
    best_match,
    containment,
    find_canonicals,
    group_copies,
    is_near_duplicate,
    signature,
    similarity,
)

from .structure_seeds import ROOT, parse_seed

SPEECH = "".join(f"第{i}项工作要抓好落实，确保取得实效，推动全市第{i}类事业发展迈上新台阶。" for i in range(60))
OTHER = "".join(f"在第{i}个乡镇开展森林防火宣传，严管野外火源，做好扑救准备和值班值守。" for i in range(60))


def test_a_signature_has_a_fixed_size_and_ignores_punctuation():
    sig = signature(SPEECH)
    assert len(sig) == SIGNATURE_SIZE
    assert signature(SPEECH.replace("，", ",").replace("。", ".")) == sig


def test_a_signature_is_the_same_in_every_process():
    # No salted hash(): a loader in another process must compute the same values.
    code = "from speeches.ingest.dedupe import signature; print(signature('全市教育信息化工作推进会议')[:8])"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout for _ in range(2)
    }
    assert runs == {str(signature("全市教育信息化工作推进会议")[:8]) + "\n"}


def test_an_edited_copy_is_a_near_duplicate_and_another_speech_is_not():
    edited = SPEECH.replace("第3项", "第三项").replace("第7类", "x类")
    assert similarity(signature(SPEECH), signature(edited)) >= NEAR_DUPLICATE_THRESHOLD
    assert similarity(signature(SPEECH), signature(OTHER)) < 0.1
    assert is_near_duplicate(signature(SPEECH), signature(SPEECH))


def test_empty_bins_never_count_as_matches():
    assert similarity(signature("短"), signature("句")) == 0.0
    assert all(value == EMPTY for value in signature(""))
    assert band_keys(signature("")) == []


def test_copies_share_a_band_key_and_stored_values_fit_a_bigint():
    edited = SPEECH.replace("第3项", "第三项")
    assert set(band_keys(signature(SPEECH))) & set(band_keys(signature(edited)))
    assert all(-1 <= value < 2**63 for value in signature(SPEECH))


def test_every_copy_points_at_the_first_of_its_group():
    sigs = [signature(SPEECH), signature(OTHER), signature(SPEECH + "同志们"), signature(SPEECH)]
    assert find_canonicals(sigs) == [None, None, 0, 0]


def test_001s_re_published_speech_is_the_canonical_one_of_the_two_prints():
    # 篇一 masks the numbers (第x次, 近xxx万) and lacks the three sections (一)…(三) that
    # 篇四 holds: a reader is shown 篇四, and 篇一 is its near copy.
    document = parse_seed("corpus/seeds/001_1ede3f202e9dcf26.txt")
    first = next(s for s in document.speeches if s.marker == "篇一")
    fuller = next(s for s in document.speeches if s.marker == "篇四")
    assert "第五次专题会议" in fuller.text and "(一)市委要求要坚决落实。" in fuller.text
    assert "第x次专题会议" in first.text
    assert (first.duplicate_of, first.duplicate_kind) == (fuller.ordinal, "near")
    assert fuller.duplicate_of is None


def test_of_two_prints_of_one_text_the_one_that_kept_its_punctuation_is_canonical():
    # 004 prints the 青山湖 speech twice; the first print lost its commas (lines 229-233:
    # "…提质升级工作方案进一步健全完善…"), the second kept them (line 263).
    speeches = parse_seed("corpus/seeds/004_d07954890cd01a7b.txt").speeches
    prints = [s for s in speeches if "提质升级工作方案" in s.text]
    assert len(prints) == 2
    kept = next(s for s in prints if "提质升级工作方案,进一步健全" in s.text)
    lost = next(s for s in prints if "提质升级工作方案进一步健全" in s.text)
    assert kept.duplicate_of is None and (lost.duplicate_of, lost.duplicate_kind) == (kept.ordinal, "exact")


def test_the_fullest_copy_of_a_group_is_canonical_the_first_of_equals():
    _, links = group_copies(["a", "a", "a"], ["甲乙丙", "甲,乙,丙", "甲乙,丙"])
    assert links == [(1, "exact"), None, (1, "exact")]
    _, links = group_copies(["a", "a"], ["甲,乙", "甲乙,"])
    assert links == [None, (0, "exact")]


def test_a_copy_takes_the_signature_and_keywords_of_its_original():
    speeches = parse_seed("corpus/seeds/003_2b7a5b5f4b6eab26.txt").speeches
    by_ordinal = {s.ordinal: s for s in speeches}
    for copy in (s for s in speeches if s.duplicate_of and s.duplicate_kind == "exact" and s.marker != "篇三"):
        assert copy.signature == by_ordinal[copy.duplicate_of].signature
    for copy in (s for s in speeches if s.duplicate_of):
        assert copy.keywords == by_ordinal[copy.duplicate_of].keywords


def test_no_structure_module_imports_django():
    package = Path(ROOT, "speeches", "ingest")
    for module in ("split", "breaks", "sections", "metadata", "classify", "dedupe", "keywords", "identity", "pipeline"):
        assert "django" not in (package / f"{module}.py").read_text(encoding="utf-8")


def test_the_loader_gets_the_best_near_duplicate_among_its_candidates():
    edited = SPEECH.replace("第3项", "第三项")
    candidates = [("other", signature(OTHER)), ("edited", signature(edited)), ("same", signature(SPEECH))]
    assert best_match(signature(SPEECH), candidates) == ("same", 1.0)
    assert best_match(signature(SPEECH), [("other", signature(OTHER))]) is None


def test_a_cut_down_copy_points_at_the_longer_speech():
    sigs, links = group_copies(["a", "b", "c"], [SPEECH[:900], OTHER, SPEECH])
    assert links == [(2, "partial"), None, None]
    assert sigs[0] == signature(SPEECH[:900])  # its own, to find other cut-down copies
    assert containment(SPEECH[:900], SPEECH) == 1.0


def test_a_copy_of_a_copy_points_at_the_original():
    _, links = group_copies(["a", "a", "b"], [SPEECH[:900], SPEECH[:900], SPEECH])
    assert links == [(2, "partial"), (2, "exact"), None]
