"""Date input formats, one list for the settings and every locale (FORMAT_MODULE_PATH).

Vietnamese dates are typed dd/mm/yyyy ("05/03/2027" is 5 March 2027) in both languages; ISO
(what <input type="date"> sends, and what scripts type) is accepted after it. Django's "en"
locale would otherwise read "05/03/2027" as 3 May, and its default settings do too. The first
format is also the one widgets and the admin's date picker write back.
"""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
