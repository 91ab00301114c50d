# ClamAV for docker-compose's `clamav` service (`target: clamav`): Debian's clamav-daemon on TCP
# 3310, signatures from freshclam at start and then every 4 hours (docs/antivirus.md). The last
# stage below stays the default build.
FROM debian:bookworm-slim AS clamav
RUN apt-get update \
 && apt-get install -y --no-install-recommends clamav-daemon clamav-freshclam \
 && rm -rf /var/lib/apt/lists/* \
 && printf '%s\n' 'Foreground yes' 'User clamav' 'TCPSocket 3310' 'TCPAddr 0.0.0.0' \
      'LocalSocket /run/clamav/clamd.ctl' 'DatabaseDirectory /var/lib/clamav' 'StreamMaxLength 64M' \
      'LogTime yes' > /etc/clamav/clamd.conf \
 && mkdir -p /run/clamav && chown clamav:clamav /run/clamav /var/lib/clamav
EXPOSE 3310
CMD ["sh", "-c", "freshclam --stdout; freshclam --daemon --checks=6 --stdout; exec clamd"]

# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint (receipts, reports, legal forms) needs Pango; fonts with Vietnamese glyphs: Liberation
# Serif 2.x, metric-compatible with Times New Roman, for the forms (Decree 30/2020).
# SoftHSM2: the PKCS#11 token of the demo stack's signing keys (docs/signing.md); a real HSM's module
# replaces it through SIGNING_PKCS11_MODULE.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation fonts-liberation2 gettext softhsm2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e .
# Static files do not depend on production secrets (which prod settings demand): base settings collect them.
RUN DJANGO_SETTINGS_MODULE=dvctt.settings.base \
    python manage.py collectstatic --noinput

RUN useradd --system --home /app dvctt && mkdir -p /app/var/media /var/lib/dvctt/signing \
 && chown -R dvctt /app/var /var/lib/dvctt
USER dvctt
EXPOSE 8000
CMD ["gunicorn", "dvctt.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
