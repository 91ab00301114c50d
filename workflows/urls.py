from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("quan-tri/quy-trinh/", views.workflow_index, name="index"),
    path("quan-tri/quy-trinh/<str:code>/", views.workflow_edit, name="edit"),
    path("quan-tri/quy-trinh/<str:code>/ban-hanh/", views.workflow_publish, name="publish"),
    path("quan-tri/quy-trinh/<str:code>/sao-chep/", views.workflow_clone, name="clone"),
]
