from eforms.display import form_answers

SCHEMA = {
    "steps": [
        {
            "key": "nguoi_khai",
            "title": "Người khai",
            "fields": [
                {"key": "tieu_de", "type": "heading", "label": "Thông tin chung"},
                {"key": "ho_ten", "type": "text", "label": "Họ và tên"},
                {"key": "ngay_sinh", "type": "date", "label": "Ngày sinh"},
                {"key": "gioi_tinh", "type": "radio", "label": "Giới tính",
                 "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
                {"key": "co_con", "type": "yes_no", "label": "Có con"},
                {"key": "so_con", "type": "integer", "label": "Số con"},
                {"key": "le_phi", "type": "money", "label": "Lệ phí"},
                {"key": "dia_chi", "type": "address", "label": "Địa chỉ"},
            ],
        },
        {
            "key": "gia_dinh",
            "title": "Gia đình",
            "fields": [
                {"key": "thanh_vien", "type": "repeating_group", "label": "Thành viên",
                 "fields": [{"key": "tv_ten", "type": "text", "label": "Họ tên"},
                            {"key": "tv_ngay_sinh", "type": "date", "label": "Ngày sinh"}]},
            ],
        },
    ]
}  # fmt: skip


def test_answers_read_in_words_with_the_versions_labels():
    values = {
        "ho_ten": "Nguyễn Thị Ánh Dương",
        "ngay_sinh": "1990-03-15",
        "gioi_tinh": "nu",
        "co_con": False,
        "le_phi": 100000,
        "dia_chi": {"street": "Số 5", "ward_name": "Phường Hoa Lư", "province_name": "Ninh Bình"},
        "thanh_vien": [{"tv_ten": "Nguyễn Văn Bình", "tv_ngay_sinh": "2015-01-02"}],
    }

    sections = form_answers(SCHEMA, values)

    assert [s.title for s in sections] == ["Người khai", "Gia đình"]
    assert [(a.label, a.text) for a in sections[0].answers] == [
        ("Họ và tên", "Nguyễn Thị Ánh Dương"),
        ("Ngày sinh", "15/03/1990"),
        ("Giới tính", "Nữ"),
        ("Có con", "Không"),
        ("Lệ phí", "100.000 đồng"),
        ("Địa chỉ", "Số 5, Phường Hoa Lư, Ninh Bình"),
    ]  # so_con was hidden when filed: absent, not shown
    table = sections[1].answers[0]
    assert (table.columns, table.rows) == (["Họ tên", "Ngày sinh"], [["Nguyễn Văn Bình", "02/01/2015"]])


def test_a_visible_field_left_empty_shows_a_dash():
    sections = form_answers(SCHEMA, {"so_con": None})

    assert [(a.label, a.text) for a in sections[0].answers] == [("Số con", "—")]
