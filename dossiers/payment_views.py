"""Fee payment through the national payment platform: start, return page, notification."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
