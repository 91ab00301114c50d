"""Telling people: the applicant's e-mail and text message on every change, officers' reminders."""
