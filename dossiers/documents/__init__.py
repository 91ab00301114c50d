"""Legal forms 01–07 and receipts rendered as PDFs, issued for the events that call for them."""
