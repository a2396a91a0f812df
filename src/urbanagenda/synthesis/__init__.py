"""Generated reports: the SDG 11 synthesis, the Secretary-General's report and national
report drafts, built from the store into one document model (:mod:`.document`) and rendered
as standalone HTML, PDF (WeasyPrint) and DOCX (python-docx).

``build_report(engine, kind, area=..., lang=...)`` returns a :class:`~.document.Document`;
``render(document, fmt)`` returns its bytes.  Institutional records (governance bodies,
sessions, resolutions, programmes, funding) are loaded and read by :mod:`.records`.
"""
