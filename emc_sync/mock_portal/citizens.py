"""Demo citizens of the population registry stand-in (CSDLQG về dân cư).

Kept in step with the VNeID faces' identities (citizen/identities.py) so that a person is the
same everywhere. The first one is the portal's demo citizen account (dvctt/demo.py: 037090001234, Nguyễn Văn An, born
1990-03-15); names, birth dates and contacts agree with citizen/identities.py.
"""

from typing import TypedDict


class Citizen(TypedDict):
    SoDinhDanh: str
    HoVaTen: str
    NgaySinh: str  # yyyyMMdd
    GioiTinh: int  # 1 male, 2 female
    QueQuan: str
    NoiThuongTru: str
    DanToc: str
    QuocTich: str
    SoDienThoai: str
    Email: str


CITIZENS: dict[str, Citizen] = {
    citizen["SoDinhDanh"]: citizen
    for citizen in (
        Citizen(
            SoDinhDanh="037090001234",
            HoVaTen="Nguyễn Văn An",
            NgaySinh="19900315",
            GioiTinh=1,
            QueQuan="Xã Gia Viễn, tỉnh Ninh Bình",
            NoiThuongTru="Số 12, đường Trần Hưng Đạo, phường Hoa Lư, tỉnh Ninh Bình",
            DanToc="Kinh",
            QuocTich="Việt Nam",
            SoDienThoai="0912345678",
            Email="037090001234@demo.dichvucong.example.vn",
        ),
        Citizen(
            SoDinhDanh="037195004321",
            HoVaTen="Trần Thị Mai",
            NgaySinh="19950722",
            GioiTinh=2,
            QueQuan="Xã Kim Sơn, tỉnh Ninh Bình",
            NoiThuongTru="Số 5, phố Lương Văn Thăng, phường Hoa Lư, tỉnh Ninh Bình",
            DanToc="Kinh",
            QuocTich="Việt Nam",
            SoDienThoai="0987654321",
            Email="037195004321@demo.dichvucong.example.vn",
        ),
        Citizen(
            SoDinhDanh="001088012345",
            HoVaTen="Lê Minh Tuấn",
            NgaySinh="19881105",
            GioiTinh=1,
            QueQuan="Phường Hoàn Kiếm, thành phố Hà Nội",
            NoiThuongTru="Số 8, phố Hàng Bài, phường Hoàn Kiếm, thành phố Hà Nội",
            DanToc="Kinh",
            QuocTich="Việt Nam",
            SoDienThoai="0903111222",
            Email="001088012345@demo.dichvucong.example.vn",
        ),
        Citizen(
            SoDinhDanh="036082007788",
            HoVaTen="Lê Văn Đức",
            NgaySinh="19821103",
            GioiTinh=1,
            QueQuan="Xã Hải Hậu, tỉnh Ninh Bình",
            NoiThuongTru="Thôn Đông, xã Nho Quan, tỉnh Ninh Bình",
            DanToc="Kinh",
            QuocTich="Việt Nam",
            SoDienThoai="0903444555",
            Email="levanduc@example.vn",
        ),
        Citizen(
            SoDinhDanh="037301009876",
            HoVaTen="Đinh Thị Hà",
            NgaySinh="20010715",
            GioiTinh=2,
            QueQuan="Xã Cúc Phương, tỉnh Ninh Bình",
            NoiThuongTru="Bản Mường, xã Cúc Phương, tỉnh Ninh Bình",
            DanToc="Mường",
            QuocTich="Việt Nam",
            SoDienThoai="0977000111",
            Email="dinhthiha@example.vn",
        ),
    )
}
