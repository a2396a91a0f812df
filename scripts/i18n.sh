#!/usr/bin/env bash
# Extract the interface's messages and update the six gettext catalogues.
#
#   scripts/i18n.sh          extract -> locale/messages.pot, update (or create) the six
#                            locale/<lang>/LC_MESSAGES/messages.po, make English the identity,
#                            then print what is left to translate in each language
#   scripts/i18n.sh --check  the same on a scratch copy: fails when the committed catalogues
#                            are not up to date with the code (new or changed messages)
#
# No .mo file is written: urbanagenda.web.i18n compiles the .po files in memory at start.
# See docs/translating.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYBABEL="${PYBABEL:-$ROOT/.venv/bin/pybabel}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
WEB="src/urbanagenda/web"
LOCALE="$WEB/locale"
LANGS=(ar zh en fr ru es)

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
OLD_POT="$SCRATCH/old.pot"

CHECK=0
if [[ "${1:-}" == "--check" ]]; then
    CHECK=1
    cp -r "$LOCALE" "$SCRATCH/locale"
    LOCALE="$SCRATCH/locale"
elif [[ $# -gt 0 ]]; then
    echo "usage: scripts/i18n.sh [--check]" >&2
    exit 2
fi

# keep the committed template when only its creation date would change (no churn in git)
[[ -f "$LOCALE/messages.pot" ]] && cp "$LOCALE/messages.pot" "$OLD_POT"

"$PYBABEL" -q extract -F "$WEB/babel.cfg" \
    -k _ -k gettext -k ngettext:1,2 -k lazy_gettext \
    --add-comments=TRANSLATORS: \
    --project=urbanagenda --copyright-holder="the urbanagenda authors" \
    --msgid-bugs-address="https://github.com/urbanagenda/urbanagenda/issues" \
    --sort-by-file -w 100 \
    -o "$LOCALE/messages.pot" "$WEB"
if [[ -s "$OLD_POT" ]] && diff -q <(grep -v '^"POT-Creation-Date' "$OLD_POT") \
        <(grep -v '^"POT-Creation-Date' "$LOCALE/messages.pot") >/dev/null; then
    cp "$OLD_POT" "$LOCALE/messages.pot"
fi

for lang in "${LANGS[@]}"; do
    if [[ -f "$LOCALE/$lang/LC_MESSAGES/messages.po" ]]; then
        "$PYBABEL" -q update -i "$LOCALE/messages.pot" -d "$LOCALE" -D messages -l "$lang" \
            --previous -w 100 --ignore-pot-creation-date
    else
        "$PYBABEL" -q init -i "$LOCALE/messages.pot" -d "$LOCALE" -D messages -l "$lang" -w 100
    fi
done

# A translated (not fuzzy) message keeps no previous msgid: Babel reads a leftover "#|" line
# back as a translator comment ("# | msgid ...") and such comments would pile up run by run.
"$PYTHON" - "$LOCALE" "${LANGS[@]}" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

root, langs = Path(sys.argv[1]), sys.argv[2:]
for lang in langs:
    path = root / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    changed = False
    for message in catalog:
        stale = [c for c in message.user_comments if c.lstrip().startswith("| msgid")]
        if stale or (message.previous_id and "fuzzy" not in message.flags):
            message.user_comments = [c for c in message.user_comments if c not in stale]
            if "fuzzy" not in message.flags:
                message.previous_id = []
            changed = True
    if changed:
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, include_previous=True, sort_by_file=True)
PY

# English is the identity: every msgstr is its msgid (so English never shows a gap).
"$PYTHON" - "$LOCALE/en/LC_MESSAGES/messages.po" <<'PY'
import sys

from babel.messages.pofile import read_po, write_po

path = sys.argv[1]
with open(path, "rb") as fh:
    catalog = read_po(fh, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id  # a tuple (singular, plural) for plural messages
    message.flags.discard("fuzzy")
    message.previous_id = []
catalog.obsolete.clear()
with open(path, "wb") as fh:
    write_po(fh, catalog, width=100, include_previous=False, sort_by_file=True)
PY

# What is left to do in each language.
"$PYTHON" - "$LOCALE" "${LANGS[@]}" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po

root, langs = Path(sys.argv[1]), sys.argv[2:]
for lang in langs:
    with (root / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    messages = [m for m in catalog if m.id]
    fuzzy = [m for m in messages if m.fuzzy]
    missing = [
        m for m in messages
        if not m.fuzzy and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    done = len(messages) - len(fuzzy) - len(missing)
    print(f"{lang}: {done}/{len(messages)} translated, {len(fuzzy)} fuzzy, {len(missing)} missing")
PY

if [[ $CHECK -eq 1 ]]; then
    status=0
    for lang in "${LANGS[@]}"; do
        po="$LOCALE/$lang/LC_MESSAGES/messages.po"
        committed="$ROOT/$WEB/locale/$lang/LC_MESSAGES/messages.po"
        # compare the messages only (not their line numbers nor the dates in the header)
        if ! diff -q <(grep -v '^#:\|^"POT-Creation-Date\|^"PO-Revision-Date' "$po") \
                     <(grep -v '^#:\|^"POT-Creation-Date\|^"PO-Revision-Date' "$committed") >/dev/null; then
            echo "$lang: messages.po is not up to date with the code: run scripts/i18n.sh" >&2
            status=1
        fi
    done
    exit $status
fi
