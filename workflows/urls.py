from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("quan-tri/lich/", views.calendar_index, name="calendar"),
    path("quan-tri/lich/<int:year>/", views.calendar_year, name="calendar_year"),
    path("quan-tri/quy-trinh/", views.workflow_index, name="index"),
    path("quan-tri/quy-trinh/<str:code>/", views.workflow_edit, name="edit"),
    path("quan-tri/quy-trinh/<str:code>/ban-hanh/", views.workflow_publish, name="publish"),
    path("quan-tri/quy-trinh/<str:code>/sao-chep/", views.workflow_clone, name="clone"),
]
