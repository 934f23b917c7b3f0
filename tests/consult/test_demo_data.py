"""Checks on the reference data and the demo consultation in consult/data."""

import re
import unicodedata

import pytest

from consult.data import (
    load_organisations,
    load_provinces,
)

REGIONS = {
    "Đồng bằng sông Hồng",
    "Trung du và miền núi phía Bắc",
    "Bắc Trung Bộ và Duyên hải miền Trung",
    "Tây Nguyên",
    "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
}

#: A tone mark on the second vowel of an open "oa", "oe" or "uy" syllable is
#: the new placement ("hoà", "thuỷ"); the data files use the traditional one
#: ("hòa", "thủy"). "quý" is the same in both styles, hence the (?<!q).
NEW_STYLE_TONE = re.compile(
    r"(?:o[àáảãạ]|o[èéẻẽẹ]|(?<!q)u[ỳýỷỹỵ])(?![^\W\d_])", re.IGNORECASE
)


def is_nfc(text):
    return unicodedata.is_normalized("NFC", text)


# --- provinces -------------------------------------------------------------


@pytest.fixture(scope="module")
def provinces():
    return load_provinces()


def test_there_are_63_provinces_with_unique_two_digit_codes(provinces):
    codes = [row["code"] for row in provinces]
    assert len(provinces) == 63
    assert len(set(codes)) == 63
    assert all(re.fullmatch(r"\d\d", code) for code in codes)
    assert codes == sorted(codes)
    assert codes[0] == "01" and codes[-1] == "96"


def test_province_names_are_unique_nfc_and_without_prefix(provinces):
    names = [row["name"] for row in provinces]
    assert len(set(names)) == 63
    assert all(is_nfc(name) for name in names)
    assert not any(name.startswith(("Thành phố", "Tỉnh")) for name in names)


def test_province_names_use_traditional_tone_placement(provinces):
    names = {row["name"] for row in provinces}
    assert {"Hòa Bình", "Khánh Hòa", "Thanh Hóa"} <= names
    assert not any(NEW_STYLE_TONE.search(name) for name in names)


def test_the_five_centrally_run_cities(provinces):
    cities = {row["name"] for row in provinces if row["kind"] == "city"}
    assert cities == {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}
    assert {row["kind"] for row in provinces} == {"city", "province"}


def test_every_province_has_a_known_region(provinces):
    assert {row["region"] for row in provinces} == REGIONS
    by_name = {row["name"]: row for row in provinces}
    assert by_name["Quảng Ninh"]["region"] == "Đồng bằng sông Hồng"
    assert by_name["Lâm Đồng"]["region"] == "Tây Nguyên"
    assert by_name["Bà Rịa - Vũng Tàu"]["code"] == "77"


# --- organisations ---------------------------------------------------------


@pytest.fixture(scope="module")
def organisations():
    return load_organisations()


def test_18_ministries_and_4_ministerial_agencies(organisations):
    kinds = [row["kind"] for row in organisations]
    assert kinds.count("ministry") == 18
    assert kinds.count("ministerial_agency") == 4
    assert set(kinds) <= {"ministry", "ministerial_agency", "government_agency", "association"}
    assert kinds.count("government_agency") >= 1
    assert kinds.count("association") >= 5


def test_organisation_codes_are_unique_ascii(organisations):
    codes = [row["code"] for row in organisations]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", code) for code in codes)


def test_organisations_have_nfc_names_and_the_drafting_ministry(organisations):
    assert all(row["name"] and row["short_name"] for row in organisations)
    assert all(is_nfc(row["name"] + row["short_name"]) for row in organisations)
    by_code = {row["code"]: row for row in organisations}
    assert by_code["BKHDT"]["name"] == "Bộ Kế hoạch và Đầu tư"
    assert by_code["LMHTX"]["kind"] == "association"
    assert by_code["BVHTTDL"]["name"] == "Bộ Văn hóa, Thể thao và Du lịch"
