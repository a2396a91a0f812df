"""The reporting platform: national New Urban Agenda progress reports, Voluntary Local
Reviews and reference documents, with accounts and roles, a review workflow with immutable
versions, uploads with text extraction, tagging to SDG 11 targets and NUA commitments, and
multilingual full-text search.

Modules: :mod:`.model` (value objects), :mod:`.permissions` (who may do what),
:mod:`.accounts` (users, passwords, sessions, API tokens, login rate limit),
:mod:`.template` (the versioned NUA reporting template), :mod:`.documents` (reports,
versions, saving sections, who may read what), :mod:`.workflow` (the review workflow,
comments, audit log), :mod:`.diff` (diffs of versions), :mod:`.indicators` (indicator
values frozen into versions), :mod:`.records` (the document rows they share),
:mod:`.modalities` (the 2024 reporting modalities: pre-filled drafts), :mod:`.vlrs` (the VLR
registry), :mod:`.vlr_metadata` (a VLR's metadata checks), :mod:`.attachments` (files of
every document, re-indexing public documents), :mod:`.uploads` and :mod:`.extract` (checked
uploads, PDF/DOCX text), :mod:`.markdown` (sanitised rendering), :mod:`.text`,
:mod:`.tagging` and :mod:`.search` (tokens, tags, full-text search), :mod:`.demo` (the demo
library).
"""
