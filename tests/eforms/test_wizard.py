"""The e-form wizard (django-formtools) over a FormVersion: steps shown and skipped by the rules,
progress, back, check-your-answers, one clean JSON at the end; the admin's preview."""

import json
import re
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.urls import path, reverse

from accounts.constants import Role
from common.errors import DomainError
from dvctt import urls as portal_urls
from eforms.models import FormVersion
from eforms.selectors import form_version_get
from eforms.services import form_draft_save, form_version_publish
from eforms.validation import visible_step_keys
from eforms.wizard import EformWizardView, eform_wizard
from tests.eforms.builders import field, form, step
from tests.factories import ProcedureFactory, UserFactory

XSS = "<script>alert(1)</script>"
YES = {"field": "co_con", "op": "equals", "value": True}
SUPPORT = [{"value": "tien_mat", "label": "Tiền mặt"}, {"value": "chuyen_khoan", "label": "Chuyển khoản"}]


def child_benefit_form(label_of_name="Họ và tên"):
    """Three steps: the second is shown only with children; a field of the first and one of the
    third too (the first reads a field of its own page, the third one of an earlier page)."""
    return form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", label_of_name, required=True),
            field("co_con", "yes_no", "Có con dưới 6 tuổi", required=True),
            field("so_con", "integer", "Số con", required=True, min=1, visible_if=YES),
            title="Người khai",
        ),
        step("thong_tin_con", field("ten_con", "text", "Họ tên con", required=True), title="Thông tin con",
             visible_if=YES),
        step(
            "lien_he",
            field("dien_thoai", "phone", "Số điện thoại", required=True),
            field("nhan_tro_cap", "radio", "Hình thức nhận trợ cấp", options=SUPPORT, required=True, visible_if=YES),
            field("ghi_chu", "textarea", "Ghi chú"),
            title="Liên hệ",
        ),
    )  # fmt: skip


@pytest.fixture
def version(db):
    return form_draft_save(procedure=ProcedureFactory(), schema=child_benefit_form())


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(role=Role.PROVINCE_ADMIN))
    return client


def url(version, **query):
    base = reverse("eforms:preview", args=[version.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, version, step_key, data, **query):
    """POST one page as the browser would (the management form names the step)."""
    posted = {f"eform_eformpreviewwizard_{version.pk}-current_step": step_key}
    posted.update({f"{step_key}-{k}" if k != "wizard_goto_step" else k: v for k, v in data.items()})
    return client.post(url(version, **query), posted)


def text(response):
    """The page's text: tags dropped, entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def current_step(response):
    return re.search(r'name="eform_\w+-current_step" value="([^"]+)"', response.content.decode())[1]


def done_json(response):
    raw = re.search(r'<pre class="eform-json"><code>(.*?)</code></pre>', response.content.decode(), flags=re.S)[1]
    return json.loads(unescape(raw))


def test_without_children_the_conditional_step_and_fields_are_skipped(admin_client, version):
    # when the citizen opens the form
    first = admin_client.get(url(version))

    # then step 1 of 2 (the conditional step is not counted before it is known)
    assert first.status_code == 200
    assert "Bước 1/2" in text(first)
    assert current_step(first) == "nguoi_khai"
    assert '<li class="eform-progress__item is-current" aria-current="step">Người khai</li>' in first.content.decode()

    # when they answer "no children"
    sent = page(admin_client, version, "nguoi_khai", {"ho_ten": "Nguyễn Văn An", "co_con": "false"})

    # then the next page is "Liên hệ", step 2 of 2, without the field about the benefit
    assert sent.status_code == 302
    assert sent["Location"] == url(version, buoc="lien_he")
    second = admin_client.get(sent["Location"])
    assert "Bước 2/2" in text(second)
    assert current_step(second) == "lien_he"
    assert "Thông tin con" not in text(second)
    assert "lien_he-nhan_tro_cap" not in second.content.decode()
    assert 'name="lien_he-dien_thoai"' in second.content.decode()


def test_with_children_the_conditional_step_and_field_are_shown(admin_client, version):
    # given
    admin_client.get(url(version))

    # when
    sent = page(admin_client, version, "nguoi_khai", {"ho_ten": "Nguyễn Văn An", "co_con": "true", "so_con": "2"})
    second = admin_client.get(sent["Location"])

    # then the children step comes second of three, then the contact step with the benefit field
    assert sent["Location"] == url(version, buoc="thong_tin_con")
    assert "Bước 2/3" in text(second)
    assert "Thông tin con Liên hệ Kiểm tra lại thông tin" in text(second)
    third = admin_client.get(page(admin_client, version, "thong_tin_con", {"ten_con": "Nguyễn Bé"})["Location"])
    assert "Bước 3/3" in text(third)
    assert 'name="lien_he-nhan_tro_cap"' in third.content.decode()


def test_the_json_holds_visible_answers_only_whatever_was_posted(admin_client, version):
    # given "no children", with a number of children and a benefit choice forged into the pages
    log_entries = LogEntry.objects.count()
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "  Nguyễn   Văn An ", "co_con": "false", "so_con": "3"})
    page(admin_client, version, "thong_tin_con", {"ten_con": "Không có"})  # a step that is not shown
    page(admin_client, version, "lien_he", {"dien_thoai": "091 234 5678", "nhan_tro_cap": "tien_mat"})

    # when the review page is sent
    finished = page(admin_client, version, "kiem-tra", {})

    # then one clean JSON document, hidden fields and the hidden step left out; nothing was saved
    assert finished.status_code == 200
    assert done_json(finished) == {
        "ho_ten": "Nguyễn Văn An",
        "co_con": False,
        "dien_thoai": "0912345678",
        "ghi_chu": None,
    }
    assert FormVersion.objects.count() == 1
    assert FormVersion.objects.get().schema == child_benefit_form()
    assert LogEntry.objects.count() == log_entries
    # and the answers are forgotten: the next visit starts again
    assert current_step(admin_client.get(url(version))) == "nguoi_khai"


def test_invalid_input_shows_the_message_and_keeps_the_other_answers(admin_client, version):
    # given
    admin_client.get(url(version))

    # when the name is missing and the number of children is below the minimum
    sent = page(admin_client, version, "nguoi_khai", {"ho_ten": "", "co_con": "true", "so_con": "0"})

    # then the same page, with the exact messages at the top (linked to the fields) and at the fields
    assert sent.status_code == 200
    html = sent.content.decode()
    assert current_step(sent) == "nguoi_khai"
    assert '<a href="#id_nguoi_khai-ho_ten">Họ và tên: Vui lòng nhập Họ và tên.</a>' in html
    assert '<a href="#id_nguoi_khai-so_con">Số con: Số con phải lớn hơn hoặc bằng 1.</a>' in html
    assert "<title>Lỗi: Bước 1/2: Người khai" in html
    assert 'aria-invalid="true"' in html
    # and the answers given are still there
    assert 'type="radio" name="nguoi_khai-co_con" value="true"' in html
    assert re.search(r'value="true"[^>]*checked', html)
    assert 'name="nguoi_khai-so_con" value="0"' in html


def test_a_wrong_phone_number_gets_its_vietnamese_message(admin_client, version):
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})

    sent = page(admin_client, version, "lien_he", {"dien_thoai": "12345", "ghi_chu": "Gọi buổi sáng"})

    assert "Số điện thoại: Số điện thoại di động không hợp lệ (ví dụ 0912345678)." in text(sent)
    assert "Gọi buổi sáng</textarea>" in sent.content.decode()


def test_back_keeps_the_input_of_both_pages(admin_client, version):
    # given the first page answered and the second one half typed
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "Nguyễn Văn An", "co_con": "true", "so_con": "2"})

    # when "Quay lại" is pressed on the second page
    back = page(admin_client, version, "thong_tin_con", {"ten_con": "Nguyễn B", "wizard_goto_step": "nguoi_khai"})

    # then the first page shows its answers, without error messages
    assert back["Location"] == url(version, buoc="nguoi_khai")
    first = admin_client.get(back["Location"])
    html = first.content.decode()
    assert current_step(first) == "nguoi_khai"
    assert 'name="nguoi_khai-ho_ten" value="Nguyễn Văn An"' in html
    assert 'name="nguoi_khai-so_con" value="2"' in html
    assert "error-summary" not in html
    # and going forward again shows what had been typed on the second page
    second = admin_client.get(page(admin_client, version, "nguoi_khai", {"ho_ten": "Nguyễn Văn An", "co_con": "true",
                                                                         "so_con": "2"})["Location"])  # fmt: skip
    assert 'name="thong_tin_con-ten_con" value="Nguyễn B"' in second.content.decode()


def test_back_with_an_empty_page_shows_no_errors_when_coming_back(admin_client, version):
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})
    page(admin_client, version, "lien_he", {"dien_thoai": "", "wizard_goto_step": "nguoi_khai"})

    again = admin_client.get(page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})["Location"])

    assert current_step(again) == "lien_he"
    assert "error-summary" not in again.content.decode()


def test_the_review_page_lists_the_answers_with_change_links(admin_client, version):
    # given
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "Nguyễn Văn An", "co_con": "true", "so_con": "2"})
    page(admin_client, version, "thong_tin_con", {"ten_con": "Nguyễn Bé"})

    # when
    sent = page(admin_client, version, "lien_he", {"dien_thoai": "0912345678", "nhan_tro_cap": "chuyen_khoan"})
    review = admin_client.get(sent["Location"])

    # then every answer in words, each with its change link to its page and field
    assert sent["Location"] == url(version, buoc="kiem-tra")
    assert current_step(review) == "kiem-tra"
    words = text(review)
    for line in (
        "Người khai Họ và tên Nguyễn Văn An Sửa Họ và tên",
        "Có con dưới 6 tuổi Có Sửa Có con dưới 6 tuổi",
        "Số con 2 Sửa Số con",
        "Thông tin con Họ tên con Nguyễn Bé Sửa Họ tên con",
        "Liên hệ Số điện thoại 0912345678 Sửa Số điện thoại",
        "Hình thức nhận trợ cấp Chuyển khoản Sửa Hình thức nhận trợ cấp",
        "Ghi chú — Sửa Ghi chú",
    ):
        assert line in words
    html = review.content.decode()
    change = reverse("eforms:preview", args=[version.pk])
    assert f'href="{change}?buoc=nguoi_khai&amp;sua=1#id_nguoi_khai-ho_ten"' in html
    assert f'href="{change}?buoc=lien_he&amp;sua=1#id_lien_he-nhan_tro_cap_0"' in html
    assert "Bước" not in words
    assert '<li class="eform-progress__item is-current" aria-current="step">Kiểm tra lại thông tin</li>' in html


def test_a_change_returns_to_the_review_page_or_asks_the_new_step_first(admin_client, version):
    # given a finished walk without children
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})
    page(admin_client, version, "lien_he", {"dien_thoai": "0912345678"})

    # when the name is changed through its "Sửa" link
    change = admin_client.get(url(version, buoc="nguoi_khai", sua=1))
    sent = page(admin_client, version, "nguoi_khai", {"ho_ten": "Bình", "co_con": "false"}, buoc="nguoi_khai", sua=1)

    # then straight back to the review page
    assert current_step(change) == "nguoi_khai"
    assert sent["Location"] == url(version, buoc="kiem-tra")
    assert "Họ và tên Bình Sửa" in text(admin_client.get(sent["Location"]))

    # when the answer about children is changed to yes
    sent = page(admin_client, version, "nguoi_khai", {"ho_ten": "Bình", "co_con": "true", "so_con": "1"},
                buoc="nguoi_khai", sua=1)  # fmt: skip

    # then the newly shown step comes first, then the contact page that now asks for the benefit
    assert sent["Location"] == url(version, buoc="thong_tin_con", sua=1)
    sent = page(admin_client, version, "thong_tin_con", {"ten_con": "Bé"}, buoc="thong_tin_con", sua=1)
    assert sent["Location"] == url(version, buoc="lien_he", sua=1)


def test_nobody_skips_a_step_that_has_no_answers(admin_client, version):
    # when the review page or a later step is asked for at once
    review = admin_client.get(url(version, buoc="kiem-tra"))
    later = admin_client.get(url(version, buoc="lien_he"))
    forged = page(admin_client, version, "kiem-tra", {})

    # then the first step is shown
    assert current_step(review) == "nguoi_khai"
    assert current_step(later) == "nguoi_khai"
    assert forged.status_code == 200
    assert current_step(forged) == "nguoi_khai"


def test_a_page_of_a_step_no_longer_shown_resumes_the_wizard(admin_client, version):
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})

    sent = page(admin_client, version, "thong_tin_con", {"ten_con": "Bé"})

    assert sent.status_code == 302
    assert current_step(admin_client.get(sent["Location"])) == "lien_he"


def test_back_to_a_step_no_longer_shown_goes_to_the_step_before_this_page(admin_client, version):
    # given a page whose "Quay lại" names the children step, hidden since
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})

    # when
    back = page(admin_client, version, "lien_he", {"dien_thoai": "", "wizard_goto_step": "thong_tin_con"})

    # then back to the first step, the page not taken as sent
    assert back["Location"] == url(version, buoc="nguoi_khai")
    assert "error-summary" not in admin_client.get(back["Location"]).content.decode()


def test_a_step_is_checked_again_at_the_end_with_the_answers_it_depends_on(admin_client, version):
    # given a walk with children, then the first answer changed to "no" through the back button
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "true", "so_con": "1"})
    page(admin_client, version, "thong_tin_con", {"ten_con": "Bé"})
    page(admin_client, version, "lien_he", {"dien_thoai": "0912345678", "nhan_tro_cap": "tien_mat"})
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "false"}, buoc="nguoi_khai", sua=1)

    # when the review page is sent
    finished = page(admin_client, version, "kiem-tra", {})

    # then the children step and the benefit answer, still in the session, are not in the document
    assert done_json(finished) == {"ho_ten": "An", "co_con": False, "dien_thoai": "0912345678", "ghi_chu": None}


def test_the_steps_shown_are_those_the_rules_engine_shows(admin_client, version):
    schema = child_benefit_form()
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "true", "so_con": "1"})

    review = admin_client.get(url(version, buoc="thong_tin_con"))

    expected = visible_step_keys(schema, {"ho_ten": "An", "co_con": True, "so_con": 1})
    assert expected == ["nguoi_khai", "thong_tin_con", "lien_he"]
    assert "Người khai (đã trả lời) Thông tin con Liên hệ Kiểm tra lại thông tin" in text(review)


def test_a_step_page_and_the_review_page_cost_a_fixed_number_of_queries(
    admin_client, version, django_assert_num_queries
):
    # given
    admin_client.get(url(version))
    page(admin_client, version, "nguoi_khai", {"ho_ten": "An", "co_con": "true", "so_con": "1"})
    page(admin_client, version, "thong_tin_con", {"ten_con": "Bé"})
    page(admin_client, version, "lien_he", {"dien_thoai": "0912345678", "nhan_tro_cap": "tien_mat"})

    # then session, user, version, and the session saved (a savepoint around it): the steps cost nothing
    with django_assert_num_queries(6):
        admin_client.get(url(version, buoc="lien_he"))
    with django_assert_num_queries(6):
        admin_client.get(url(version, buoc="kiem-tra"))


def test_the_page_tells_the_browser_which_fields_it_may_hide(admin_client, version):
    first = admin_client.get(url(version)).content.decode()

    assert 'data-eform-kinds="{&quot;co_con&quot;: &quot;bool&quot;}"' in first
    assert 'data-visible-if="{&quot;field&quot;: &quot;co_con&quot;' in first
    assert "js/eforms.js" in first


def test_the_preview_is_for_province_admins(client, version):
    # given
    preview = url(version)

    # then anonymous visitors are sent to log in, other users refused, admins and superusers let in
    assert client.get(preview)["Location"].startswith(reverse("accounts:login"))
    for role in (Role.CITIZEN, Role.SPECIALIST, Role.LEADER):
        client.force_login(UserFactory(role=role))
        assert client.get(preview).status_code == 403
        assert (
            client.post(preview, {f"eform_eformpreviewwizard_{version.pk}-current_step": "nguoi_khai"}).status_code
            == 403
        )
    client.force_login(UserFactory(role=Role.PROVINCE_ADMIN))
    assert client.get(preview).status_code == 200
    client.force_login(UserFactory(role=Role.CITIZEN, is_superuser=True))
    assert client.get(preview).status_code == 200


def test_the_preview_shows_published_versions_too_and_404_for_unknown_ones(admin_client, version):
    form_version_publish(version=version)

    assert admin_client.get(url(version)).status_code == 200
    assert "Xem thử phiên bản 1 (Đã ban hành)" in text(admin_client.get(url(version)))
    assert admin_client.get(reverse("eforms:preview", args=[version.pk + 1000])).status_code == 404


def test_admin_text_is_escaped_on_the_wizard_pages(admin_client, db):
    # given labels, a title and an option written as script
    schema = child_benefit_form(label_of_name=XSS)
    schema["title"] = XSS
    schema["steps"][0]["title"] = XSS
    schema["steps"][0]["description"] = XSS
    version = form_draft_save(procedure=ProcedureFactory(), schema=schema)

    # when the wizard and its error summary show them
    first = admin_client.get(url(version)).content.decode()
    invalid = page(admin_client, version, "nguoi_khai", {"co_con": "false"}).content.decode()
    page(admin_client, version, "nguoi_khai", {"ho_ten": XSS, "co_con": "false"})
    page(admin_client, version, "lien_he", {"dien_thoai": "0912345678"})
    review = admin_client.get(url(version, buoc="kiem-tra")).content.decode()
    finished = page(admin_client, version, "kiem-tra", {}).content.decode()

    # then as text, never as markup
    for html in (first, invalid, review, finished):
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the only script elements are our own files (no inline script anywhere)
    assert re.findall(r"<script(?![^>]*\bsrc=\"(?:/static/js/[\w.-]+\.js|/jsi18n/\?l=\w+)\")[^>]*>", first) == []


# --- the entry point the citizen's dossier flow uses ---------------------------------------

completed: list[dict] = []


def submit(values):
    completed.append(values)
    return JsonResponse({"saved": values})


def citizen_form(request, version_id):
    return eform_wizard(
        request,
        version=form_version_get(pk=version_id),
        prefill={"ho_ten": "Trần Thị Bình", "dien_thoai": "0987654321"},
        on_complete=submit,
        storage_key="HS-1",
    )


class RefusingWizard(EformWizardView):
    def on_complete(self, values):
        raise DomainError("Thủ tục đang tạm ngừng tiếp nhận hồ sơ.")


def refusing_form(request, version_id):
    return RefusingWizard.as_view(version=form_version_get(pk=version_id))(request)


urlpatterns = [
    path("thu/<int:version_id>/", citizen_form, name="citizen-form"),
    path("tu-choi/<int:version_id>/", refusing_form, name="refusing-form"),
    *portal_urls.urlpatterns,
]


def post_step(client, address, prefix, step_key, data):
    posted = {f"{prefix}-current_step": step_key, **{f"{step_key}-{k}": v for k, v in data.items()}}
    return client.post(address, posted)


@pytest.mark.urls(__name__)
def test_eform_wizard_shows_the_prefill_and_hands_the_clean_values_to_the_callback(client, version):
    # given
    completed.clear()
    client.force_login(UserFactory(role=Role.CITIZEN))
    address = reverse("citizen-form", args=[version.pk])
    prefix = f"eform_eformwizardview_{version.pk}_HS-1"

    # when the citizen opens the form, keeps the prefilled name and finishes it
    first = client.get(address).content.decode()
    post_step(client, address, prefix, "nguoi_khai", {"ho_ten": "Trần Thị Bình", "co_con": "false"})
    contact = client.get(address).content.decode()
    post_step(client, address, prefix, "lien_he", {"dien_thoai": "0987654321"})
    finished = post_step(client, address, prefix, "kiem-tra", {})

    # then the prefill was shown and the callback got the one clean document
    assert 'name="nguoi_khai-ho_ten" value="Trần Thị Bình"' in first
    assert 'name="lien_he-dien_thoai" value="0987654321"' in contact
    assert completed == [{"ho_ten": "Trần Thị Bình", "co_con": False, "dien_thoai": "0987654321", "ghi_chu": None}]
    assert json.loads(finished.content)["saved"]["ho_ten"] == "Trần Thị Bình"


@pytest.mark.urls(__name__)
def test_a_refusal_of_on_complete_is_shown_on_the_review_page_with_the_answers_kept(client, version):
    # given
    client.force_login(UserFactory(role=Role.CITIZEN))
    address = reverse("refusing-form", args=[version.pk])
    prefix = f"eform_refusingwizard_{version.pk}"
    client.get(address)
    post_step(client, address, prefix, "nguoi_khai", {"ho_ten": "An", "co_con": "false"})
    post_step(client, address, prefix, "lien_he", {"dien_thoai": "0912345678"})

    # when
    refused = post_step(client, address, prefix, "kiem-tra", {})

    # then
    assert refused.status_code == 200
    assert "Chưa gửi được, vui lòng kiểm tra lại Thủ tục đang tạm ngừng tiếp nhận hồ sơ." in text(refused)
    assert "Họ và tên An Sửa" in text(client.get(address))


def test_a_wizard_without_a_version_says_so():
    with pytest.raises(ImproperlyConfigured, match="needs a version"):
        EformWizardView().get_version()
