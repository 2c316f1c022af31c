"""Citation forms against strings written by hand from GB/T 7714-2015, BibTeX and RIS."""

from datetime import date

from speeches.citation import Citable, all_forms, bibtex, gbt7714, ris

ACCESSED = date(2026, 11, 21)
SPEECH = Citable(
    public_id="abcd2345ef",
    title="在全市森林防火工作推进会上的讲话",
    url="https://archive.example.org/speeches/abcd2345ef/",
    year=2019,
    updated=date(2026, 11, 20),
)
PARAGRAPH = Citable(**{**SPEECH.__dict__, "paragraph": "p12"})
UNDATED = Citable(
    public_id="zzzz2345ef", title="工作会议上讲话稿", url="https://archive.example.org/speeches/zzzz2345ef/"
)


def test_gbt7714_cites_a_speech_as_an_electronic_resource_without_an_author():
    assert gbt7714(SPEECH, ACCESSED) == (
        "在全市森林防火工作推进会上的讲话[EB/OL]. 讲话档案, 2019(2026-11-20)[2026-11-21]. "
        "https://archive.example.org/speeches/abcd2345ef/."
    )


def test_gbt7714_points_at_the_selected_paragraph():
    assert gbt7714(PARAGRAPH, ACCESSED) == (
        "在全市森林防火工作推进会上的讲话[EB/OL]. 讲话档案, 2019(2026-11-20)[2026-11-21]. "
        "https://archive.example.org/speeches/abcd2345ef/#p12."
    )


def test_gbt7714_leaves_out_a_year_and_update_date_that_are_unknown():
    assert gbt7714(UNDATED, ACCESSED) == (
        "工作会议上讲话稿[EB/OL]. 讲话档案[2026-11-21]. https://archive.example.org/speeches/zzzz2345ef/."
    )


def test_bibtex_gives_a_misc_entry_with_url_and_access_date():
    assert bibtex(SPEECH, ACCESSED) == (
        "@misc{jianghua-abcd2345ef,\n"
        "  title = {{在全市森林防火工作推进会上的讲话}},\n"
        "  year = {2019},\n"
        "  publisher = {讲话档案},\n"
        "  howpublished = {\\url{https://archive.example.org/speeches/abcd2345ef/}},\n"
        "  url = {https://archive.example.org/speeches/abcd2345ef/},\n"
        "  urldate = {2026-11-21}\n"
        "}"
    )


def test_bibtex_names_the_paragraph_in_its_key_url_and_note():
    assert bibtex(PARAGRAPH, ACCESSED) == (
        "@misc{jianghua-abcd2345ef-p12,\n"
        "  title = {{在全市森林防火工作推进会上的讲话}},\n"
        "  year = {2019},\n"
        "  publisher = {讲话档案},\n"
        "  howpublished = {\\url{https://archive.example.org/speeches/abcd2345ef/#p12}},\n"
        "  url = {https://archive.example.org/speeches/abcd2345ef/#p12},\n"
        "  urldate = {2026-11-21},\n"
        "  note = {第12段}\n"
        "}"
    )


def test_bibtex_escapes_characters_that_would_break_the_entry():
    tricky = Citable(public_id="x", title="100% 完成 {目标} & R_D", url="https://a.org/speeches/x/")
    assert "  title = {{100\\% 完成 \\{目标\\} \\& R\\_D}},\n" in bibtex(tricky, ACCESSED)


def test_ris_gives_a_web_page_record_with_the_access_date():
    assert ris(PARAGRAPH, ACCESSED) == (
        "TY  - ELEC\n"
        "TI  - 在全市森林防火工作推进会上的讲话\n"
        "PY  - 2019\n"
        "PB  - 讲话档案\n"
        "UR  - https://archive.example.org/speeches/abcd2345ef/#p12\n"
        "Y2  - 2026/11/21\n"
        "N1  - 第12段\n"
        "ER  - \n"
    )


def test_a_paragraph_that_is_not_an_anchor_is_ignored():
    odd = Citable(**{**SPEECH.__dict__, "paragraph": "javascript:alert(1)"})
    assert all_forms(odd, ACCESSED) == all_forms(SPEECH, ACCESSED)
