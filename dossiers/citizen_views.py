"""The citizen's side: start, draft, review, submit, track, supplement, withdraw, result, rate."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
