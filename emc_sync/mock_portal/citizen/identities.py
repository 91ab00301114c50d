"""The demo people VNeID knows (the first is the portal's demo citizen: same id, name and birth date)."""

from dataclasses import dataclass

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - published demo accounts of a stand-in


@dataclass(frozen=True)
class Identity:
    citizen_id: str
    name: str
    birthdate: str  # YYYY-MM-DD
    gender: str  # OpenID Connect values: "male" / "female"
    phone_number: str  # E.164
    email: str
    street_address: str
    locality: str
    region: str
    vneid_level: int = 2

    def claims(self) -> dict[str, object]:
        """The OpenID Connect claims of this person (standard names plus `vneid_level`)."""
        return {
            "sub": self.citizen_id,
            "name": self.name,
            "birthdate": self.birthdate,
            "gender": self.gender,
            "phone_number": self.phone_number,
            "email": self.email,
            "address": {
                "formatted": f"{self.street_address}, {self.locality}, {self.region}",
                "street_address": self.street_address,
                "locality": self.locality,
                "region": self.region,
                "country": "VN",
            },
            "vneid_level": self.vneid_level,
        }


IDENTITIES = (
    Identity(
        citizen_id="037090001234",
        name="Nguyễn Văn An",
        birthdate="1990-03-15",
        gender="male",
        phone_number="+84912345678",
        email="037090001234@demo.dichvucong.example.vn",
        street_address="Số 12, đường Trần Hưng Đạo",
        locality="Phường Hoa Lư",
        region="Tỉnh Ninh Bình",
    ),
    Identity(
        citizen_id="037195004321",
        name="Trần Thị Mai",
        birthdate="1995-07-22",
        gender="female",
        phone_number="+84987654321",
        email="037195004321@demo.dichvucong.example.vn",
        street_address="Số 5, phố Lương Văn Thăng",
        locality="Phường Hoa Lư",
        region="Tỉnh Ninh Bình",
    ),
    Identity(
        citizen_id="001088012345",
        name="Lê Minh Tuấn",
        birthdate="1988-11-05",
        gender="male",
        phone_number="+84903111222",
        email="001088012345@demo.dichvucong.example.vn",
        street_address="Số 8, phố Hàng Bài",
        locality="Phường Hoàn Kiếm",
        region="Thành phố Hà Nội",
    ),
)

BY_CITIZEN_ID = {identity.citizen_id: identity for identity in IDENTITIES}
