from django.urls import path

from . import views

app_name = "console"

# Mounted at /quan-tri/dich-vu/ by dvctt/urls.py.
urlpatterns = [
    path("", views.console_index, name="index"),
    path("chi-tieu/", views.target_set, name="target"),
    path("<str:code>/", views.procedure_overview, name="overview"),
    path("<str:code>/bat-dau/", views.draft_start, name="start"),
    path("<str:code>/buoc/<slug:step>/", views.step_page, name="step"),
    path("<str:code>/bieu-mau/soan/", views.form_draft_open, name="form_draft_open"),
    path("<str:code>/quy-trinh/mau/", views.workflow_default, name="workflow_default"),
    path("<str:code>/cong-bo/", views.publish, name="publish"),
    path("<str:code>/ngung-truc-tuyen/", views.withdraw, name="withdraw"),
    path("<str:code>/xem-thu/", views.citizen_preview, name="preview"),
]
