"""Attachments: upload, reuse from the document store, download for those who may see them."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
