"""Every message the scripts show has its English (locale/en/LC_MESSAGES/djangojs.po), and the
catalogue view serves the reader's language."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GETTEXT_CALL = re.compile(r'gettext\("((?:[^"\\]|\\.)*)"\)')
VIETNAMESE_LITERAL = re.compile(
    r'"[^"\n]*[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ][^"\n]*"'
)
# Text that becomes the content of a citizen's form (Vietnamese whatever the admin reads).
FORM_CONTENT = {
    '"Nội dung hướng dẫn"',
    '"Lựa chọn 1"',
    '"Lựa chọn 2"',
    '"Cột 1"',
    '"Tôi cam đoan những thông tin trên là đúng sự thật."',
    '"Trường mới"',
    '"Bước "',
}


def script_messages() -> set[str]:
    return {m for path in (ROOT / "static/js").glob("*.js") for m in GETTEXT_CALL.findall(path.read_text())}


def test_no_script_shows_vietnamese_outside_the_catalogue():
    stray = []
    for path in (ROOT / "static/js").glob("*.js"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.lstrip().startswith(("//", "*", "/*")) or "normalize(" in line:
                continue
            for literal in VIETNAMESE_LITERAL.findall(GETTEXT_CALL.sub("", line)):
                if literal not in FORM_CONTENT:
                    stray.append(f"{path.name}:{number}: {literal}")
    assert stray == []


def test_every_script_message_has_its_english():
    from django.utils.translation.trans_real import DjangoTranslation

    english = DjangoTranslation("en", domain="djangojs")
    untranslated = sorted(m for m in script_messages() if english.gettext(m) == m)
    assert len(script_messages()) > 70, "the scripts call gettext"
    assert untranslated == []


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "present", "absent"), [("en", "Add step", "Thêm bước"), ("vi", "", "Add step")])
def test_the_catalogue_view_serves_the_readers_language(client, language, present, absent):
    client.cookies["django_language"] = language
    body = client.get(f"/jsi18n/?l={language}").content.decode()

    assert present in body
    assert absent not in body
