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
        # A raw # in an argument stops LaTeX ("Illegal parameter number"); hyperref's
        # \\url reads \\# as #. The url field, verbatim in biblatex, keeps the plain URL.
        "  howpublished = {\\url{https://archive.example.org/speeches/abcd2345ef/\\#p12}},\n"
        "  url = {https://archive.example.org/speeches/abcd2345ef/#p12},\n"
        "  urldate = {2026-11-21},\n"
        "  note = {第12段}\n"
        "}"
    )


def test_bibtex_escapes_characters_that_would_break_the_entry():
    tricky = Citable(public_id="x", title="100% 完成 {目标} & R_D", url="https://a.org/speeches/x/")
    assert "  title = {{100\\% 完成 \\{目标\\} \\& R\\_D}},\n" in bibtex(tricky, ACCESSED)


def test_bibtex_writes_a_tilde_a_caret_and_a_backslash_as_the_characters_not_as_accents():
    # 50~60吨 (the sample writes ranges so): \~ printed a tilde over the 6.
    tricky = Citable(public_id="x", title="50~60吨 x^2 a\\b", url="https://a.org/speeches/x/")
    title = "50\\textasciitilde{}60吨 x\\textasciicircum{}2 a\\textbackslash{}b"
    assert f"  title = {{{{{title}}}}},\n" in bibtex(tricky, ACCESSED)


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


STATED = Citable(
    public_id="kmwz2cd6ri",
    title="应若平副厅长在全省各市州教育信息化工作会议上的讲话",
    url="https://archive.example.org/speeches/kmwz2cd6ri/",
    updated=date(2026, 11, 20),
    speaker="应若平",
    office="副厅长",
    date="2017-03-10",
    year=2017,
    place="湖南",
    occasion="全省各市州教育信息化工作会议",
    source="在信息工作会议上的讲话稿",
    source_url="https://archive.example.org/documents/3/",
)
INFERRED = Citable(
    public_id="bup44adsjy",
    title="关于疫情防控的讲话",
    url="https://archive.example.org/speeches/bup44adsjy/",
    date="2020/2022",
    date_inferred=True,
    title_supplied=True,
    place="山东·日照",
    place_inferred=True,
)


def test_gbt7714_opens_with_a_stated_speaker_and_notes_office_meeting_place_and_source():
    assert gbt7714(STATED, ACCESSED) == (
        "应若平. 应若平副厅长在全省各市州教育信息化工作会议上的讲话[EB/OL]. 讲话档案, 2017(2026-11-20)[2026-11-21]. "
        "https://archive.example.org/speeches/kmwz2cd6ri/. 讲话人职务：副厅长；场合：全省各市州教育信息化工作会议；"
        "地点：湖南；来源文件：在信息工作会议上的讲话稿 https://archive.example.org/documents/3/."
    )


def test_gbt7714_brackets_a_supplied_title_and_an_inferred_date():
    assert gbt7714(INFERRED, ACCESSED) == (
        "[关于疫情防控的讲话][EB/OL]. 讲话档案, [2020—2022?][2026-11-21]. "
        "https://archive.example.org/speeches/bup44adsjy/. 地点：山东·日照（推断）；"
        "日期为本馆据内容推断：[2020—2022?]；题名为本馆所拟."
    )


def test_bibtex_carries_the_author_the_stated_day_and_the_notes():
    cited = bibtex(STATED, ACCESSED)
    assert "  author = {{应若平}}," in cited
    assert "  year = {2017},\n  date = {2017-03-10}," in cited
    assert "  note = {讲话人职务：副厅长；场合：全省各市州教育信息化工作会议；地点：湖南；来源文件：" in cited


def test_bibtex_and_ris_mark_an_inferred_date_and_a_supplied_title():
    cited = bibtex(INFERRED, ACCESSED)
    assert "title = {{[关于疫情防控的讲话]}}" in cited and "year = {[2020—2022?]}" in cited
    assert "author" not in cited
    lines = ris(INFERRED, ACCESSED).splitlines()
    assert "TI  - [关于疫情防控的讲话]" in lines
    assert not any(line.startswith(("PY", "DA", "AU")) for line in lines)
    assert "N1  - 日期为本馆据内容推断：[2020—2022?]" in lines


def test_bibtex_gives_an_inferred_date_its_first_year_to_sort_by_and_a_stated_one_none():
    assert "year = {[2020—2022?]},\n  sortyear = {2020}," in bibtex(INFERRED, ACCESSED)
    assert "sortyear" not in bibtex(STATED, ACCESSED)


def test_ris_carries_author_date_and_source_for_stated_fields():
    lines = ris(STATED, ACCESSED).splitlines()
    assert lines[:3] == ["TY  - ELEC", "AU  - 应若平", "TI  - 应若平副厅长在全省各市州教育信息化工作会议上的讲话"]
    assert "PY  - 2017" in lines and "DA  - 2017/03/10" in lines and "T2  - 在信息工作会议上的讲话稿" in lines
    assert "N1  - 场合：全省各市州教育信息化工作会议" in lines


FRAGMENT = Citable(
    public_id="frag2345ef",
    title="春耕备耕讲话（残篇）",
    url="https://archive.example.org/speeches/frag2345ef/",
    fragment=True,
)


def test_every_form_notes_that_the_source_page_kept_only_part_of_the_speech():
    assert gbt7714(FRAGMENT, ACCESSED) == (
        "春耕备耕讲话（残篇）[EB/OL]. 讲话档案[2026-11-21]. https://archive.example.org/speeches/frag2345ef/. "
        "残篇（来源网页仅存部分）."
    )
    assert "  note = {残篇（来源网页仅存部分）}\n" in bibtex(FRAGMENT, ACCESSED)
    assert "N1  - 残篇（来源网页仅存部分）" in ris(FRAGMENT, ACCESSED).splitlines()
    assert "残篇" not in "".join(all_forms(SPEECH, ACCESSED).values())


def test_the_notes_a_caller_adds_come_before_the_speechs_own():
    removed = Citable(**{**INFERRED.__dict__, "remarks": ("已从档案中移除（removed）",)})
    assert "https://archive.example.org/speeches/bup44adsjy/. 已从档案中移除（removed）；地点：山东·日照（推断）；" in (
        gbt7714(removed, ACCESSED)
    )
    assert "  note = {已从档案中移除（removed）；地点：" in bibtex(removed, ACCESSED)
    assert ris(removed, ACCESSED).splitlines()[-5:-3] == [
        "N1  - 已从档案中移除（removed）",
        "N1  - 地点：山东·日照（推断）",
    ]
