"""What the VNeID and payment stand-ins remember (in the database, so that several processes agree)."""

from django.db import models


class SigningKey(models.Model):
    """The identity provider's RSA key, generated once on first use unless given by the environment."""

    name = models.CharField(max_length=50, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class AuthorizationCode(models.Model):
    """A one-time code handed to the client's redirect URI after the citizen logs in."""

    code = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.TextField()
    scope = models.CharField(max_length=300)
    sub = models.CharField(max_length=12)
    nonce = models.CharField(max_length=300, blank=True)
    code_challenge = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client_id} → {self.sub}"


class AccessToken(models.Model):
    """A Bearer token for the userinfo endpoint."""

    token = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=100)
    sub = models.CharField(max_length=12)
    scope = models.CharField(max_length=300)
    expires_at = models.DateTimeField()
    authorization_code = models.ForeignKey(AuthorizationCode, on_delete=models.CASCADE, related_name="access_tokens")

    def __str__(self) -> str:
        return f"{self.client_id} → {self.sub}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    CANCELLED = "cancelled", "Đã hủy"


class Payment(models.Model):
    """One payment request of a merchant (one per merchant and ref), and how it ended."""

    merchant = models.CharField(max_length=50)
    ref = models.CharField(max_length=100)
    amount = models.BigIntegerField()  # đồng
    info = models.CharField(max_length=500, blank=True)
    return_url = models.TextField()
    notify_url = models.TextField()
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    transaction_id = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What happened to the notification: "", "sent 200", "failed: ...", "skipped (switched off)".
    notify_result = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "ref"], name="mock_citizen_payment_unique_ref"),
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~models.Q(transaction_id=""),
                name="mock_citizen_payment_unique_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant}/{self.ref} {self.status}"
